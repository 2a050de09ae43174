// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"math"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Attribute keys. The semantic-convention ones come first; twingate.* covers
// what semantic conventions have no name for. README's mapping table lists the
// same keys in the same order.
const (
	attrServiceName        = "service.name"
	attrConnectorID        = "twingate.connector.id"
	attrConnectorName      = "twingate.connector.name"
	attrRemoteNetworkID    = "twingate.remote_network.id"
	attrRemoteNetworkName  = "twingate.remote_network.name"
	attrClientAddress      = "client.address"
	attrClientPort         = "client.port"
	attrServerAddress      = "server.address"
	attrServerPort         = "server.port"
	attrNetworkPeerAddress = "network.peer.address"
	attrNetworkTransport   = "network.transport"
	attrUserID             = "user.id"
	attrUserEmail          = "user.email"
	attrErrorMessage       = "error.message"
	attrErrorType          = "error.type"
	attrEventType          = "twingate.event_type"
	attrConnectionID       = "twingate.connection.id"
	attrRxBytes            = "twingate.connection.rx_bytes"
	attrTxBytes            = "twingate.connection.tx_bytes"
	attrDuration           = "twingate.connection.duration"
	attrCBCTFreshness      = "twingate.connection.cbct_freshness"
	attrDeviceID           = "twingate.device.id"
	attrResourceID         = "twingate.resource.id"
	attrAppliedRule        = "twingate.resource.applied_rule"
	attrRelays             = "twingate.relays"

	serviceName = "twingate-connector"
	// unknownPrefix namespaces every field the mapping does not name.
	unknownPrefix = "twingate."
	// maxValueDepth bounds how deep an unknown JSON value is copied into
	// nested maps and slices; deeper subtrees are kept as their JSON text, so
	// nothing is lost and no exporter or backend chokes on a 10,000-deep value.
	maxValueDepth = 32
)

// eventNames maps the documented event types to OpenTelemetry event names;
// any other type X becomes twingate.connection.X.
var eventNames = map[string]string{
	"established_connection": "twingate.connection.established",
	"closed_connection":      "twingate.connection.closed",
	"failed_to_connect":      "twingate.connection.failed",
}

func eventName(eventType string) string {
	if name, ok := eventNames[eventType]; ok {
		return name
	}
	return "twingate.connection." + eventType
}

// resourceKey identifies the ResourceLogs a record belongs to: one per
// connector (and remote network) per origin the input reports.
type resourceKey struct {
	connectorID, connectorName, networkID, networkName string
	origin                                             string
}

// Whether a known object was found.
const (
	objectAbsent  = iota // missing, or JSON null
	objectPresent        // an object
	objectInvalid        // anything else
)

type connectionFields struct {
	state                                                int
	id, clientIP, resourceIP, resourcePort, protocol, rx scalar
	tx, duration, cbctFreshness, errorMessage            scalar
}

type connectorFields struct {
	state    int
	id, name scalar
}

type deviceFields struct {
	state int
	id    scalar
}

type resourceFields struct {
	state                    int
	address, appliedRule, id scalar
}

type userFields struct {
	state     int
	email, id scalar
}

// unknownField is a field the mapping does not name; its value is kept as
// JSON text until the record is built, since the line may still turn out
// malformed further on.
type unknownField struct {
	path, key, value string
}

// event holds one ANALYTICS object as scanned. It is reused line after
// line within a batch.
type event struct {
	timestamp, eventType scalar
	connection           connectionFields
	connector            connectorFields
	remoteNetwork        connectorFields // same shape: id and name
	device               deviceFields
	resource             resourceFields
	user                 userFields
	relays, location     string // JSON text, "" when missing
	unknown              []unknownField

	tooMany bool
	ctl     bool // the line has control bytes: see jsonScanner

	// invalid lists the dotted paths of fields that were present but unusable.
	invalid []string
	warn    bool
}

// maxUnknownFields bounds the fields of one line kept as twingate.*
// attributes; real lines have a handful.
const maxUnknownFields = 256

// scan reads body, which must be exactly one JSON object, into e. Only
// syntax is checked here; types and ranges are checked when mapping, so a
// bad field flags itself and nothing else.
func (e *event) scan(body string) error {
	*e = event{unknown: e.unknown[:0]}
	sc := &jsonScanner{s: body}
	if sc.peek() != '{' {
		if sc.peek() == 0 {
			return errSyntax
		}
		sc.skip()
		if sc.err != nil {
			return sc.err
		}
		return errNotObject
	}
	for key, ok := sc.firstKey(); ok; key, ok = sc.nextKey() {
		switch key {
		case "timestamp":
			e.timestamp = sc.scalar()
		case "event_type":
			e.eventType = sc.scalar()
		case "connection":
			e.connection = connectionFields{}
			e.connection.state = e.knownObject(sc, key, e.connection.field)
		case "connector":
			e.connector = connectorFields{}
			e.connector.state = e.knownObject(sc, key, e.connector.field)
		case "remote_network":
			e.remoteNetwork = connectorFields{}
			e.remoteNetwork.state = e.knownObject(sc, key, e.remoteNetwork.field)
		case "device":
			e.device = deviceFields{}
			e.device.state = e.knownObject(sc, key, e.device.field)
		case "resource":
			e.resource = resourceFields{}
			e.resource.state = e.knownObject(sc, key, e.resource.field)
		case "user":
			e.user = userFields{}
			e.user.state = e.knownObject(sc, key, e.user.field)
		case "relays":
			e.relays = sc.span()
		case "location":
			e.location = sc.span()
		default:
			e.addUnknown("", key, sc.span())
		}
	}
	sc.end()
	return sc.err
}

// knownObject reads the value of a known object key: field says where the
// value of each key goes (nil for a key the mapping does not name, which is
// kept as unknown). A repeated key replaces what the earlier one set, as
// with any JSON decoder; the caller resets the fields.
func (e *event) knownObject(sc *jsonScanner, path string, field func(key string) *scalar) int {
	e.dropUnknown(path)
	switch sc.peek() {
	case '{':
		for k, ok := sc.firstKey(); ok; k, ok = sc.nextKey() {
			if dst := field(k); dst != nil {
				*dst = sc.scalar()
			} else {
				e.addUnknown(path, k, sc.span())
			}
		}
		return objectPresent
	case 'n':
		sc.literal("null")
		return objectAbsent
	default:
		sc.skip()
		return objectInvalid
	}
}

func (c *connectionFields) field(key string) *scalar {
	switch key {
	case "id":
		return &c.id
	case "client_ip":
		return &c.clientIP
	case "resource_ip":
		return &c.resourceIP
	case "resource_port":
		return &c.resourcePort
	case "protocol":
		return &c.protocol
	case "rx":
		return &c.rx
	case "tx":
		return &c.tx
	case "duration":
		return &c.duration
	case "cbct_freshness":
		return &c.cbctFreshness
	case "error_message":
		return &c.errorMessage
	}
	return nil
}

func (c *connectorFields) field(key string) *scalar {
	switch key {
	case "id":
		return &c.id
	case "name":
		return &c.name
	}
	return nil
}

func (d *deviceFields) field(key string) *scalar {
	if key == "id" {
		return &d.id
	}
	return nil
}

func (r *resourceFields) field(key string) *scalar {
	switch key {
	case "address":
		return &r.address
	case "applied_rule":
		return &r.appliedRule
	case "id":
		return &r.id
	}
	return nil
}

func (u *userFields) field(key string) *scalar {
	switch key {
	case "email":
		return &u.email
	case "id":
		return &u.id
	}
	return nil
}

// addUnknown remembers a field the mapping does not name. Past
// maxUnknownFields the line is flagged instead: attributes are looked up
// linearly, so a line with 100,000 keys must not cost 10^10 comparisons.
// The body still holds every field.
func (e *event) addUnknown(path, key, value string) {
	if len(e.unknown) >= maxUnknownFields {
		e.tooMany = true
		return
	}
	e.unknown = append(e.unknown, unknownField{path, key, value})
}

// dropUnknown forgets the unknown fields of an object that a repeated key
// replaces.
func (e *event) dropUnknown(path string) {
	kept := e.unknown[:0]
	for _, u := range e.unknown {
		if u.path != path {
			kept = append(kept, u)
		}
	}
	e.unknown = kept
}

func (e *event) fail(path string) { e.invalid = append(e.invalid, path) }

// mapTo fills rec from the scanned event and returns the record's resource
// identity and the paths of fields it could not use. Every usable field is
// mapped even when others are not.
func (e *event) mapTo(rec plog.LogRecord, keys keyCache) (resourceKey, []string) {
	attrs := rec.Attributes()
	// The known attributes, the input's own (log.file.*) and the unknown fields.
	attrs.EnsureCapacity(28 + len(e.unknown))
	var res resourceKey

	if e.timestamp.kind == kindAbsent {
		e.fail("timestamp")
	} else if ms, err := asInt(e.timestamp); err != nil || ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
		// Epoch milliseconds that fit a nanosecond int64 (up to year 2262).
		e.fail("timestamp")
	} else {
		rec.SetTimestamp(pcommon.Timestamp(ms * int64(time.Millisecond)))
	}
	if e.eventType.kind == kindAbsent {
		e.fail("event_type")
	} else if s, err := asString(e.eventType); err != nil || s == "" {
		e.fail("event_type")
	} else {
		rec.SetEventName(eventName(s))
		attrs.PutStr(attrEventType, s)
		e.warn = s == "failed_to_connect"
	}

	e.checkObject(e.connection.state, "connection", true)
	c := &e.connection
	e.str(attrs, c.id, "connection.id", attrConnectionID)
	if ip := e.str(attrs, c.clientIP, "connection.client_ip", ""); ip != "" {
		host, port, ok := splitHostPort(ip)
		attrs.PutStr(attrClientAddress, host)
		if port >= 0 {
			attrs.PutInt(attrClientPort, port)
		}
		if !ok {
			e.fail("connection.client_ip")
		}
	}
	resourceIP := e.str(attrs, c.resourceIP, "connection.resource_ip", attrNetworkPeerAddress)
	// server.address is what the admin defined, else the address resolved.
	serverAddress := e.str(attrs, e.resource.address, "resource.address", "")
	if serverAddress == "" {
		serverAddress = resourceIP
	}
	if serverAddress != "" {
		attrs.PutStr(attrServerAddress, serverAddress)
	}
	e.int(attrs, c.resourcePort, "connection.resource_port", attrServerPort, 0, math.MaxUint16)
	if proto := e.str(attrs, c.protocol, "connection.protocol", ""); proto != "" {
		attrs.PutStr(attrNetworkTransport, lower(proto))
	}
	e.int(attrs, c.rx, "connection.rx", attrRxBytes, 0, math.MaxInt64)
	e.int(attrs, c.tx, "connection.tx", attrTxBytes, 0, math.MaxInt64)
	e.int(attrs, c.duration, "connection.duration", attrDuration, 0, math.MaxInt64)
	e.int(attrs, c.cbctFreshness, "connection.cbct_freshness", attrCBCTFreshness, math.MinInt64, math.MaxInt64)
	if msg := e.str(attrs, c.errorMessage, "connection.error_message", attrErrorMessage); msg != "" {
		e.warn = true
	}

	e.checkObject(e.connector.state, "connector", true)
	res.connectorID = e.str(attrs, e.connector.id, "connector.id", "")
	res.connectorName = e.str(attrs, e.connector.name, "connector.name", "")
	e.checkObject(e.remoteNetwork.state, "remote_network", false)
	res.networkID = e.str(attrs, e.remoteNetwork.id, "remote_network.id", "")
	res.networkName = e.str(attrs, e.remoteNetwork.name, "remote_network.name", "")
	e.checkObject(e.device.state, "device", false)
	e.str(attrs, e.device.id, "device.id", attrDeviceID)
	e.checkObject(e.resource.state, "resource", false)
	e.str(attrs, e.resource.appliedRule, "resource.applied_rule", attrAppliedRule)
	e.str(attrs, e.resource.id, "resource.id", attrResourceID)
	e.checkObject(e.user.state, "user", false)
	e.str(attrs, e.user.email, "user.email", attrUserEmail)
	e.str(attrs, e.user.id, "user.id", attrUserID)

	e.mapRelays(attrs)
	e.mapLocation(attrs)
	for _, u := range e.unknown {
		if u.value == "null" || u.value == `""` {
			continue
		}
		putJSON(attrs.PutEmpty(keys.get(u.path, u.key)), &jsonScanner{s: u.value}, 0)
	}
	if e.tooMany {
		e.fail("(more than " + strconv.Itoa(maxUnknownFields) + " unknown fields)")
	}

	sev, sevText := plog.SeverityNumberInfo, "INFO"
	if e.warn || len(e.invalid) > 0 {
		sev, sevText = plog.SeverityNumberWarn, "WARN"
	}
	rec.SetSeverityNumber(sev)
	rec.SetSeverityText(sevText)
	return res, e.invalid
}

// checkObject flags a known object that is not an object, or a required one
// that is missing or null.
func (e *event) checkObject(state int, path string, required bool) {
	if state == objectInvalid || required && state == objectAbsent {
		e.fail(path)
	}
}

// str returns the string value of v and, when attr is not empty, stores a
// non-empty value under attr. Null and empty strings produce nothing.
func (e *event) str(attrs pcommon.Map, v scalar, path, attr string) string {
	if v.kind == kindAbsent {
		return ""
	}
	s, err := asString(v)
	if err != nil {
		e.fail(path)
		return ""
	}
	if s != "" && attr != "" {
		attrs.PutStr(attr, s)
	}
	return s
}

// int stores the integer value of v under attr when it lies in [lo, hi].
func (e *event) int(attrs pcommon.Map, v scalar, path, attr string, lo, hi int64) {
	if v.kind == kindAbsent || v.kind == kindString && v.text == "" {
		return
	}
	i, err := asInt(v)
	if err != nil || i < lo || i > hi {
		e.fail(path)
		return
	}
	attrs.PutInt(attr, i)
}

// mapRelays keeps relays as a slice of maps; port becomes an int like every
// other port, other relay keys keep their JSON type.
func (e *event) mapRelays(attrs pcommon.Map) {
	if e.relays == "" || e.relays == "null" || e.relays == "[]" {
		return
	}
	if e.relays[0] != '[' {
		e.fail("relays")
		return
	}
	out := attrs.PutEmptySlice(attrRelays)
	sc := &jsonScanner{s: e.relays}
	for i, ok := 0, sc.firstElem(); ok; i, ok = i+1, sc.nextElem() {
		if sc.peek() != '{' {
			sc.skip()
			e.fail("relays[" + strconv.Itoa(i) + "]")
			continue
		}
		m := out.AppendEmpty().SetEmptyMap()
		m.EnsureCapacity(3) // ip, port, name
		for k, ok := sc.firstKey(); ok; k, ok = sc.nextKey() {
			if k == "port" {
				start := sc.i
				if port, err := asInt(sc.scalar()); err == nil && port >= 0 && port <= math.MaxUint16 {
					m.PutInt(k, port)
					continue
				}
				e.fail("relays[" + strconv.Itoa(i) + "].port")
				sc.i = start // keep the value as it came
			}
			putJSON(m.PutEmpty(k), sc, 1)
		}
	}
	if out.Len() == 0 {
		attrs.Remove(attrRelays)
	}
}

// mapLocation decodes the top-level location, which connectors emit as a
// JSON-encoded string, into a map; a string that does not decode is kept.
func (e *event) mapLocation(attrs pcommon.Map) {
	if e.location == "" || e.location == "null" || e.location == `""` {
		return
	}
	sc := &jsonScanner{s: e.location}
	if e.location[0] == '"' {
		decoded := sc.str()
		if !isJSONObject(decoded) {
			attrs.PutStr(unknownPrefix+"location", decoded)
			return
		}
		sc = &jsonScanner{s: decoded}
	}
	putJSON(attrs.PutEmpty(unknownPrefix+"location"), sc, 0)
}

func isJSONObject(s string) bool {
	sc := &jsonScanner{s: s}
	if sc.peek() != '{' {
		return false
	}
	sc.skip()
	sc.end()
	return sc.err == nil
}

// putJSON stores the JSON value at the scanner's cursor with its JSON type:
// objects become maps, arrays slices, integers ints. Values a pdata type
// cannot hold exactly (integers beyond int64, 1e400) and subtrees deeper than
// maxValueDepth are kept as their JSON text. The text was checked already.
func putJSON(dst pcommon.Value, sc *jsonScanner, depth int) {
	switch sc.peek() {
	case '{':
		if depth > maxValueDepth {
			dst.SetStr(sc.span())
			return
		}
		m := dst.SetEmptyMap()
		for k, ok := sc.firstKey(); ok; k, ok = sc.nextKey() {
			putJSON(m.PutEmpty(k), sc, depth+1)
		}
	case '[':
		if depth > maxValueDepth {
			dst.SetStr(sc.span())
			return
		}
		s := dst.SetEmptySlice()
		for ok := sc.firstElem(); ok; ok = sc.nextElem() {
			putJSON(s.AppendEmpty(), sc, depth+1)
		}
	case '"':
		dst.SetStr(sc.str())
	case 't':
		sc.literal("true")
		dst.SetBool(true)
	case 'f':
		sc.literal("false")
		dst.SetBool(false)
	case 'n':
		sc.literal("null") // leaves dst empty: the JSON null of a nested value
	default:
		putNumber(dst, sc.number())
	}
}

func putNumber(dst pcommon.Value, lit string) {
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		dst.SetInt(i)
	} else if f, err := strconv.ParseFloat(lit, 64); err == nil && !strings.ContainsAny(lit, ".eE") {
		dst.SetStr(lit) // an integer too large for int64: keep every digit
	} else if err == nil {
		dst.SetDouble(f)
	} else {
		dst.SetStr(lit)
	}
}

// keyCache builds the twingate.<path>.<key> attribute names of unknown
// fields once per batch instead of once per line.
type keyCache map[[2]string]string

func (kc keyCache) get(path, key string) string {
	k := [2]string{path, key}
	if name, ok := kc[k]; ok {
		return name
	}
	name := unknownPrefix + key
	if path != "" {
		name = unknownPrefix + path + "." + key
	}
	kc[k] = name
	return name
}

// lower is strings.ToLower without the allocation when s is lower-case
// already, as protocols almost always are.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
	}
	return s
}

// splitHostPort splits a client_ip that may carry a port: "203.0.113.7",
// "203.0.113.7:51234", "2001:db8::7", "[2001:db8::7]:443". port is -1 when the
// address has none; ok is false when the text has a port-like part that is not
// a valid port, in which case host is the whole text.
func splitHostPort(s string) (host string, port int64, ok bool) {
	bracketed := strings.HasPrefix(s, "[")
	if !bracketed && strings.Count(s, ":") != 1 {
		return s, -1, true // IPv4 or bare IPv6 without port
	}
	if bracketed && strings.HasSuffix(s, "]") {
		return s[1 : len(s)-1], -1, true
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return s, -1, false
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil || n < 0 || n > math.MaxUint16 {
		return s, -1, false
	}
	return h, n, true
}
