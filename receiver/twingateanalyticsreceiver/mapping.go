// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"encoding/json"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

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

// event maps one decoded ANALYTICS object onto a log record.
type event struct {
	obj   map[string]any
	attrs pcommon.Map
	// invalid lists the dotted paths of fields that were present but unusable.
	invalid []string
	warn    bool
	res     resourceKey
}

func (e *event) fail(path string) { e.invalid = append(e.invalid, path) }

// mapEvent fills rec from obj and returns the record's resource identity and
// the paths of fields it could not use. Every usable field is mapped even when
// others are not.
func mapEvent(obj map[string]any, rec plog.LogRecord) (resourceKey, []string) {
	e := &event{obj: obj, attrs: rec.Attributes()}

	if ts, ok := e.required("timestamp"); ok {
		ms, err := asInt(ts)
		// Epoch milliseconds that fit a nanosecond int64 (up to year 2262).
		if err != nil || ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
			e.fail("timestamp")
		} else {
			rec.SetTimestamp(pcommon.Timestamp(ms * int64(time.Millisecond)))
		}
	}
	if v, ok := e.required("event_type"); ok {
		if s, err := asString(v); err != nil || s == "" {
			e.fail("event_type")
		} else {
			rec.SetEventName(eventName(s))
			e.attrs.PutStr(attrEventType, s)
			e.warn = e.warn || s == "failed_to_connect"
		}
	}
	e.mapConnection()
	if conn, ok := e.object("connector", true); ok {
		e.res.connectorID = e.str(conn, "connector", "id", "")
		e.res.connectorName = e.str(conn, "connector", "name", "")
		e.unknown(conn, "connector", "id", "name")
	}
	if rn, ok := e.object("remote_network", false); ok {
		e.res.networkID = e.str(rn, "remote_network", "id", "")
		e.res.networkName = e.str(rn, "remote_network", "name", "")
		e.unknown(rn, "remote_network", "id", "name")
	}
	if dev, ok := e.object("device", false); ok {
		e.str(dev, "device", "id", attrDeviceID)
		e.unknown(dev, "device", "id")
	}
	if res, ok := e.object("resource", false); ok {
		if addr := e.str(res, "resource", "address", ""); addr != "" {
			e.attrs.PutStr(attrServerAddress, addr)
		}
		e.str(res, "resource", "applied_rule", attrAppliedRule)
		e.str(res, "resource", "id", attrResourceID)
		e.unknown(res, "resource", "address", "applied_rule", "id")
	}
	if user, ok := e.object("user", false); ok {
		e.str(user, "user", "email", attrUserEmail)
		e.str(user, "user", "id", attrUserID)
		e.unknown(user, "user", "email", "id")
	}
	e.mapRelays()
	e.mapLocation()
	e.unknown(obj, "", "timestamp", "event_type", "connection", "connector", "remote_network",
		"device", "resource", "user", "relays", "location")

	sev, sevText := plog.SeverityNumberInfo, "INFO"
	if e.warn || len(e.invalid) > 0 {
		sev, sevText = plog.SeverityNumberWarn, "WARN"
	}
	rec.SetSeverityNumber(sev)
	rec.SetSeverityText(sevText)
	return e.res, e.invalid
}

func (e *event) mapConnection() {
	conn, ok := e.object("connection", true)
	if !ok {
		return
	}
	e.str(conn, "connection", "id", attrConnectionID)
	if ip := e.str(conn, "connection", "client_ip", ""); ip != "" {
		host, port, ok := splitHostPort(ip)
		e.attrs.PutStr(attrClientAddress, host)
		if port >= 0 {
			e.attrs.PutInt(attrClientPort, port)
		}
		if !ok {
			e.fail("connection.client_ip")
		}
	}
	if ip := e.str(conn, "connection", "resource_ip", attrNetworkPeerAddress); ip != "" {
		// The fallback only: mapEvent maps resource.address, what the admin
		// defined, after the connection and so overwrites this when set.
		e.attrs.PutStr(attrServerAddress, ip)
	}
	e.int(conn, "connection", "resource_port", attrServerPort, 0, math.MaxUint16)
	if proto := e.str(conn, "connection", "protocol", ""); proto != "" {
		e.attrs.PutStr(attrNetworkTransport, strings.ToLower(proto))
	}
	e.int(conn, "connection", "rx", attrRxBytes, 0, math.MaxInt64)
	e.int(conn, "connection", "tx", attrTxBytes, 0, math.MaxInt64)
	e.int(conn, "connection", "duration", attrDuration, 0, math.MaxInt64)
	e.int(conn, "connection", "cbct_freshness", attrCBCTFreshness, math.MinInt64, math.MaxInt64)
	if msg := e.str(conn, "connection", "error_message", attrErrorMessage); msg != "" {
		e.warn = true
	}
	e.unknown(conn, "connection", "id", "client_ip", "resource_ip", "resource_port", "protocol",
		"rx", "tx", "duration", "cbct_freshness", "error_message")
}

// mapRelays keeps relays as a slice of maps; port becomes an int like every
// other port, other relay keys keep their JSON type.
func (e *event) mapRelays() {
	v, ok := e.obj["relays"]
	if !ok || v == nil {
		return
	}
	relays, ok := v.([]any)
	if !ok {
		e.fail("relays")
		return
	}
	if len(relays) == 0 {
		return
	}
	out := e.attrs.PutEmptySlice(attrRelays)
	out.EnsureCapacity(len(relays))
	for i, r := range relays {
		relay, ok := r.(map[string]any)
		if !ok {
			e.fail("relays[" + strconv.Itoa(i) + "]")
			continue
		}
		m := out.AppendEmpty().SetEmptyMap()
		for _, k := range sortedKeys(relay) {
			if k == "port" {
				if port, err := asInt(relay[k]); err == nil && port >= 0 && port <= math.MaxUint16 {
					m.PutInt(k, port)
					continue
				}
				e.fail("relays[" + strconv.Itoa(i) + "].port")
			}
			putValue(m.PutEmpty(k), relay[k], 1)
		}
	}
	if out.Len() == 0 {
		e.attrs.Remove(attrRelays)
	}
}

// mapLocation decodes the top-level location, which connectors emit as a
// JSON-encoded string, into a map; a string that does not decode is kept.
func (e *event) mapLocation() {
	v, ok := e.obj["location"]
	if !ok || v == nil {
		return
	}
	if s, isStr := v.(string); isStr {
		if s == "" {
			return
		}
		if decoded, err := decodeObject([]byte(s)); err == nil {
			v = decoded
		}
	}
	putValue(e.attrs.PutEmpty(unknownPrefix+"location"), v, 0)
}

// required returns obj[key], flagging it when missing or null.
func (e *event) required(key string) (any, bool) {
	v, ok := e.obj[key]
	if !ok || v == nil {
		e.fail(key)
		return nil, false
	}
	return v, true
}

// object returns the nested object at key. A missing or null optional object
// is simply absent; anything else that is not an object is flagged.
func (e *event) object(key string, required bool) (map[string]any, bool) {
	v, ok := e.obj[key]
	if !ok || v == nil {
		if required {
			e.fail(key)
		}
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		e.fail(key)
	}
	return m, ok
}

// str returns the string at parent.key and, when attr is not empty, stores a
// non-empty value under attr. Null and empty strings produce nothing.
func (e *event) str(parent map[string]any, parentPath, key, attr string) string {
	v, ok := parent[key]
	if !ok || v == nil {
		return ""
	}
	s, err := asString(v)
	if err != nil {
		e.fail(parentPath + "." + key)
		return ""
	}
	if s != "" && attr != "" {
		e.attrs.PutStr(attr, s)
	}
	return s
}

// int stores the integer at parent.key under attr when it lies in [lo, hi].
func (e *event) int(parent map[string]any, parentPath, key, attr string, lo, hi int64) {
	v, ok := parent[key]
	if !ok || v == nil {
		return
	}
	if s, isStr := v.(string); isStr && s == "" {
		return
	}
	i, err := asInt(v)
	if err != nil || i < lo || i > hi {
		e.fail(parentPath + "." + key)
		return
	}
	e.attrs.PutInt(attr, i)
}

// unknown keeps every key of obj not in known as twingate.<path>.<key>, so
// fields added to the schema reach the backend before the mapping knows them.
func (e *event) unknown(obj map[string]any, path string, known ...string) {
	prefix := unknownPrefix
	if path != "" {
		prefix += path + "."
	}
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if slices.Contains(known, k) || v == nil {
			continue
		}
		if s, isStr := v.(string); isStr && s == "" {
			continue
		}
		putValue(e.attrs.PutEmpty(prefix+k), v, 0)
	}
}

// putValue stores a decoded JSON value with its JSON type: objects become maps,
// arrays slices, integers ints. Values a pdata type cannot hold exactly
// (integers beyond int64, 1e400) and subtrees deeper than maxValueDepth are
// kept as their JSON text.
func putValue(dst pcommon.Value, v any, depth int) {
	if depth > maxValueDepth {
		if _, nested := v.(map[string]any); nested {
			dst.SetStr(jsonText(v))
			return
		}
		if _, nested := v.([]any); nested {
			dst.SetStr(jsonText(v))
			return
		}
	}
	switch t := v.(type) {
	case nil:
		// Leaves dst empty: the JSON null of a nested value.
	case string:
		dst.SetStr(t)
	case bool:
		dst.SetBool(t)
	case json.Number:
		s := string(t)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			dst.SetInt(i)
		} else if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, ".eE") {
			dst.SetStr(s) // an integer too large for int64: keep every digit
		} else if err == nil {
			dst.SetDouble(f)
		} else {
			dst.SetStr(s)
		}
	case map[string]any:
		m := dst.SetEmptyMap()
		m.EnsureCapacity(len(t))
		for _, k := range sortedKeys(t) {
			putValue(m.PutEmpty(k), t[k], depth+1)
		}
	case []any:
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(t))
		for _, item := range t {
			putValue(s.AppendEmpty(), item, depth+1)
		}
	}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
