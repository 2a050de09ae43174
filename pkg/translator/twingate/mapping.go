// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"math"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// maxValueDepth bounds how deep an unknown JSON value is copied into nested
// maps and slices; deeper subtrees are kept as their JSON text, so nothing is
// lost and no exporter or backend chokes on a 10,000-deep value.
const maxValueDepth = 32

// resourceKey identifies the ResourceLogs a record belongs to: one per
// connector (and remote network) per origin the input reports.
type resourceKey struct {
	connectorID, connectorName, networkID, networkName string
	origin                                             string
	// service is the service.name, ServiceName when empty; source is
	// twingate.source, none when empty (connector lines).
	service, source string
}

// mapTo fills rec from the scanned event and returns the record's resource
// identity and the paths of fields it could not use. Every usable field is
// mapped even when others are not. The steps follow README's mapping table.
func (e *event) mapTo(rec plog.LogRecord, keys keyCache) (resourceKey, []string) {
	attrs := rec.Attributes()
	// The known attributes, the input's own (log.file.*) and the unknown fields.
	attrs.EnsureCapacity(28 + len(e.unknown))
	e.mapTimestamp(rec)
	e.mapEventType(rec, attrs)
	e.checkObjects()
	for i := range plainFields {
		e.mapPlain(attrs, &plainFields[i])
	}
	e.mapClientAddress(attrs)
	e.mapServerAddress(attrs)
	e.mapTransport(attrs)
	res := e.resourceKey()
	e.mapRelays(attrs)
	e.mapLocation(attrs)
	e.mapUnknown(attrs, keys)
	e.mapSeverity(rec)
	return res, e.invalid
}

// mapTimestamp: epoch milliseconds that fit a nanosecond int64 (up to year 2262).
func (e *event) mapTimestamp(rec plog.LogRecord) {
	ms, err := asInt(e.values[fieldTimestamp])
	if err != nil || ms <= 0 || ms > math.MaxInt64/int64(time.Millisecond) {
		e.fail(fieldTimestamp.path())
		return
	}
	rec.SetTimestamp(pcommon.Timestamp(ms * int64(time.Millisecond)))
}

// mapEventType sets the event name and keeps the type as it came.
func (e *event) mapEventType(rec plog.LogRecord, attrs pcommon.Map) {
	s, err := asString(e.values[fieldEventType])
	if err != nil || s == "" {
		e.fail(fieldEventType.path())
		return
	}
	rec.SetEventName(eventName(s))
	attrs.PutStr(AttrEventType, s)
	e.warn = s == "failed_to_connect"
}

// checkObjects flags a known object that is not an object, or a required one
// that is missing or null.
func (e *event) checkObjects() {
	for i, state := range e.objects {
		if state == objectInvalid || objects[i].required && state == objectAbsent {
			e.fail(objects[i].name)
		}
	}
}

// mapPlain stores a plain field's value under its attribute when it has the
// field's type. Null and empty values produce nothing.
func (e *event) mapPlain(attrs pcommon.Map, p *plainField) {
	if p.typ.integer {
		e.putInt(attrs, p.field, p.attr, p.typ.lo, p.typ.hi)
	} else if s := e.text(p.field); s != "" {
		attrs.PutStr(p.attr, s)
	}
}

// mapClientAddress splits client_ip into client.address and client.port.
func (e *event) mapClientAddress(attrs pcommon.Map) {
	ip := e.text(fieldClientIP)
	if ip == "" {
		return
	}
	host, port, ok := splitHostPort(ip)
	attrs.PutStr(AttrClientAddress, host)
	if port >= 0 {
		attrs.PutInt(AttrClientPort, port)
	}
	if !ok {
		e.fail(fieldClientIP.path())
	}
}

// mapServerAddress: server.address is what the admin defined, else the
// address resolved.
func (e *event) mapServerAddress(attrs pcommon.Map) {
	address := e.text(fieldResourceAddress)
	if address == "" {
		address, _ = asString(e.values[fieldResourceIP]) // mapPlain checked it
	}
	if address != "" {
		attrs.PutStr(AttrServerAddress, address)
	}
}

// mapTransport: network.transport is lower-case in semantic conventions.
func (e *event) mapTransport(attrs pcommon.Map) {
	if proto := e.text(fieldProtocol); proto != "" {
		attrs.PutStr(AttrNetworkTransport, lower(proto))
	}
}

// resourceKey: the connector and remote network go to the resource, not the
// record.
func (e *event) resourceKey() resourceKey {
	return resourceKey{
		connectorID:   e.text(fieldConnectorID),
		connectorName: e.text(fieldConnectorName),
		networkID:     e.text(fieldNetworkID),
		networkName:   e.text(fieldNetworkName),
	}
}

// mapUnknown keeps every field the mapping does not name as
// twingate.<path>.<key>, with its JSON type.
func (e *event) mapUnknown(attrs pcommon.Map, keys keyCache) {
	for _, u := range e.unknown {
		if u.value == "null" || u.value == `""` {
			continue
		}
		sc := jsonscan.New(u.value)
		putMember(attrs, keys.get(u.path, u.key), &sc, 0)
	}
	if e.tooMany {
		e.fail("(more than " + strconv.Itoa(maxUnknownFields) + " unknown fields)")
	}
}

// mapSeverity: WARN for failures, for events with an error message and for
// flagged fields; INFO otherwise.
func (e *event) mapSeverity(rec plog.LogRecord) {
	if msg, err := asString(e.values[fieldErrorMessage]); err == nil && msg != "" {
		e.warn = true
	}
	sev, sevText := plog.SeverityNumberInfo, "INFO"
	if e.warn || len(e.invalid) > 0 {
		sev, sevText = plog.SeverityNumberWarn, "WARN"
	}
	rec.SetSeverityNumber(sev)
	rec.SetSeverityText(sevText)
}

// text returns the string value of field f; null and a missing field are
// "", a value of another type flags the field.
func (e *event) text(f field) string {
	v := e.values[f]
	if v.Kind == jsonscan.KindAbsent {
		return ""
	}
	s, err := asString(v)
	if err != nil {
		e.fail(f.path())
		return ""
	}
	return s
}

// putInt stores the integer value of field f under attr when it lies in
// [lo, hi]; null, "" and a missing field produce nothing.
func (e *event) putInt(attrs pcommon.Map, f field, attr string, lo, hi int64) {
	v := e.values[f]
	if v.Kind == jsonscan.KindAbsent || v.Kind == jsonscan.KindString && v.Text == "" {
		return
	}
	i, err := asInt(v)
	if err != nil || i < lo || i > hi {
		e.fail(f.path())
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
	out := attrs.PutEmptySlice(AttrRelays)
	out.EnsureCapacity(4) // the few relays of a connection: one allocation, not 1, 2, 4
	i, m := -1, pcommon.Map{}
	for _, p := range e.relayParts {
		switch p.value.Kind {
		case partNotObject:
			i++
			e.fail("relays[" + strconv.Itoa(i) + "]")
			continue
		case partObject:
			i++
			m = out.AppendEmpty().SetEmptyMap()
			m.EnsureCapacity(3) // ip, port, name
			continue
		}
		if p.key == "port" {
			if port, err := asInt(p.value); err == nil && port >= 0 && port <= math.MaxUint16 {
				m.PutInt(p.key, port)
				continue
			}
			e.fail("relays[" + strconv.Itoa(i) + "].port") // and kept as it came
		}
		switch p.value.Kind {
		case jsonscan.KindString:
			m.PutStr(p.key, p.value.Text)
		case jsonscan.KindNumber:
			putNumber(m.PutEmpty(p.key), p.value.Text)
		default:
			sc := jsonscan.New(p.value.Text)
			putJSON(m.PutEmpty(p.key), &sc, 1)
		}
	}
	if out.Len() == 0 {
		attrs.Remove(AttrRelays)
	}
}

// mapLocation decodes the top-level location, which connectors emit as a
// JSON-encoded string, into a map; a string that does not decode is kept.
func (e *event) mapLocation(attrs pcommon.Map) {
	if e.location == "" || e.location == "null" || e.location == `""` {
		return
	}
	if e.location[0] != '"' {
		sc := jsonscan.New(e.location)
		putJSON(attrs.PutEmpty(AttrLocation), &sc, 0)
		return
	}
	decoded := e.locationText
	sc := jsonscan.New(decoded)
	if sc.Peek() != '{' {
		attrs.PutStr(AttrLocation, decoded)
		return
	}
	// Mapped in the pass that checks it: a text that turns out not to be one
	// JSON object replaces the partial map, as rare as it is.
	v := attrs.PutEmpty(AttrLocation)
	putJSON(v, &sc, 0)
	if sc.End(); sc.Err() != nil {
		v.SetStr(decoded)
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
	n, ok := parseInt(p)
	if !ok || n < 0 || n > math.MaxUint16 {
		return s, -1, false
	}
	return h, n, true
}
