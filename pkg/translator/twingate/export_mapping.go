// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
)

// mapTo fills rec from the scanned export event and returns the record's
// resource identity and the paths of the fields it could not use. Every
// usable field is mapped even when others are not. The steps follow
// README's S3 sync tables.
func (x *exportEvent) mapTo(rec plog.LogRecord, keys keyCache) (resourceKey, []string) {
	attrs := rec.Attributes()
	attrs.EnsureCapacity(24 + len(x.common.unknown))
	x.mapTime(rec)
	x.mapEventType(rec, attrs)
	res := resourceKey{service: ServiceNameTwingate, source: SourceS3Sync}
	switch x.kind {
	case kindNetwork:
		x.mapStatus(rec, attrs)
		res = x.resourceKey()
	case kindDNS:
		x.mapDNSStatus(rec, attrs)
	case kindAudit:
		x.mapAction(rec, attrs)
	}
	for i := range exportPlainFields {
		p := &exportPlainFields[i]
		x.mapPlain(attrs, p.field, p.attr, p.typ)
	}
	x.mapClientAddress(attrs)
	x.mapServerAddress(attrs)
	x.mapTransport(attrs)
	x.common.mapRelays(attrs)
	x.mapLocation(attrs)
	x.common.mapLocation(attrs)
	x.common.mapUnknown(attrs, keys)
	x.mapSeverity(rec)
	return res, x.common.invalid
}

// mapTime: the event's ISO-8601 time.
func (x *exportEvent) mapTime(rec plog.LogRecord) {
	s, err := asString(x.values[xTime])
	ns, ok := parseExportTime(s)
	if err != nil || !ok {
		x.common.fail(xTime.path())
		return
	}
	rec.SetTimestamp(pcommon.Timestamp(ns))
}

// mapEventType keeps the export's event_type, and names the events of a
// type the mapping does not know twingate.<event_type>. A missing or
// unusable event_type or event flags the record; its fields are still kept.
func (x *exportEvent) mapEventType(rec plog.LogRecord, attrs pcommon.Map) {
	t, err := asString(x.eventType)
	if err != nil || t == "" {
		x.common.fail("event_type")
	} else {
		attrs.PutStr(AttrExportEventType, t)
		if x.kind == kindOther {
			rec.SetEventName(unknownPrefix + t)
		}
	}
	if x.event != objectPresent {
		x.common.fail("event")
	}
}

// mapStatus: a network event's status is a connector line's event_type:
// the same twingate.event_type and event name, so that the connection
// metrics count both alike; denied_access is a status only the export has.
func (x *exportEvent) mapStatus(rec plog.LogRecord, attrs pcommon.Map) {
	s := x.text(xStatus)
	if s == "" {
		x.common.fail(xStatus.path())
		return
	}
	rec.SetEventName(eventName(s))
	attrs.PutStr(AttrEventType, s)
	x.common.warn = s == "failed_to_connect" || s == "denied_access"
}

// mapDNSStatus: twingate.dns.<status>, the status kept as twingate.status.
func (x *exportEvent) mapDNSStatus(rec plog.LogRecord, attrs pcommon.Map) {
	s := x.text(xStatus)
	if s == "" {
		x.common.fail(xStatus.path())
		return
	}
	rec.SetEventName(dnsEventPrefix + s)
	attrs.PutStr(AttrStatus, s)
	x.common.warn = s == "blocked"
}

// mapAction: twingate.audit.<action>, the action kept as twingate.action.
func (x *exportEvent) mapAction(rec plog.LogRecord, attrs pcommon.Map) {
	s := x.text(xAction)
	if s == "" {
		x.common.fail(xAction.path())
		return
	}
	rec.SetEventName(auditEventPrefix + s)
	attrs.PutStr(AttrAction, s)
}

// resourceKey: a network event's connector and remote network go to the
// resource, as for connector lines; the resource says the event came from
// the export. An event without a connector is the tenant's (service.name
// twingate), not a connector's.
func (x *exportEvent) resourceKey() resourceKey {
	k := resourceKey{
		connectorID:   x.text(xConnectorID),
		connectorName: x.text(xConnectorName),
		networkID:     x.text(xNetworkID),
		networkName:   x.text(xNetworkName),
		service:       ServiceName,
		source:        SourceS3Sync,
	}
	if k.connectorID == "" && k.connectorName == "" {
		k.service = ServiceNameTwingate
	}
	return k
}

// mapPlain stores a plain field's value under its attribute when it has the
// field's type. Null and empty values produce nothing.
func (x *exportEvent) mapPlain(attrs pcommon.Map, f xfield, attr string, typ valueType) {
	if typ.integer {
		v := x.values[f]
		if v.Kind == jsonscan.KindAbsent || v.Kind == jsonscan.KindString && v.Text == "" {
			return
		}
		i, err := asInt(v)
		if err != nil || i < typ.lo || i > typ.hi {
			x.common.fail(f.path())
			return
		}
		attrs.PutInt(attr, i)
	} else if s := x.text(f); s != "" {
		attrs.PutStr(attr, s)
	}
}

// mapClientAddress splits client_ip into client.address and client.port,
// as for connector lines.
func (x *exportEvent) mapClientAddress(attrs pcommon.Map) {
	ip := x.text(xClientIP)
	if ip == "" {
		return
	}
	host, port, ok := splitHostPort(ip)
	attrs.PutStr(AttrClientAddress, host)
	if port >= 0 {
		attrs.PutInt(AttrClientPort, port)
	}
	if !ok {
		x.common.fail(xClientIP.path())
	}
}

// mapServerAddress: server.address is what the admin defined, else the
// address resolved.
func (x *exportEvent) mapServerAddress(attrs pcommon.Map) {
	address := x.text(xResourceAddress)
	if address == "" {
		address, _ = asString(x.values[xResourceIP]) // mapPlain checked it
	}
	if address != "" {
		attrs.PutStr(AttrServerAddress, address)
	}
}

// mapTransport: a network event's protocol is network.transport, lower-case
// in semantic conventions. A DNS event's protocol (DNS-over-HTTPS…) is not a
// transport: the DNS schema does not name it, so it stays
// twingate.connection.protocol.
func (x *exportEvent) mapTransport(attrs pcommon.Map) {
	if proto := x.text(xProtocol); proto != "" {
		attrs.PutStr(AttrNetworkTransport, lower(proto))
	}
}

// mapLocation: the location object's lat and lon are geo.location.*; its
// other keys are kept as twingate.location.<key>. A location that is a
// JSON-encoded string, as connectors print it, is twingate.location as on
// connector lines (event.mapLocation).
func (x *exportEvent) mapLocation(attrs pcommon.Map) {
	for _, g := range [...]struct {
		field xfield
		attr  string
		limit float64
	}{{xLat, AttrGeoLat, 90}, {xLon, AttrGeoLon, 180}} {
		v := x.values[g.field]
		if v.Kind == jsonscan.KindAbsent || v.Kind == jsonscan.KindString && v.Text == "" {
			continue
		}
		f, err := asFloat(v)
		if err != nil || math.Abs(f) > g.limit {
			x.common.fail(g.field.path())
			continue
		}
		attrs.PutDouble(g.attr, f)
	}
}

// mapSeverity: WARN for denied, failed and blocked, for an error message
// and for flagged fields; INFO otherwise.
func (x *exportEvent) mapSeverity(rec plog.LogRecord) {
	if msg, err := asString(x.values[xErrorMessage]); err == nil && msg != "" {
		x.common.warn = true
	}
	sev, sevText := plog.SeverityNumberInfo, "INFO"
	if x.common.warn || len(x.common.invalid) > 0 {
		sev, sevText = plog.SeverityNumberWarn, "WARN"
	}
	rec.SetSeverityNumber(sev)
	rec.SetSeverityText(sevText)
}

// text returns the string value of field f; null and a missing field are
// "", a value of another type flags the field.
func (x *exportEvent) text(f xfield) string {
	v := x.values[f]
	if v.Kind == jsonscan.KindAbsent {
		return ""
	}
	s, err := asString(v)
	if err != nil {
		x.common.fail(f.path())
		return ""
	}
	return s
}

// asFloat accepts a JSON number or a string holding one.
func asFloat(v jsonscan.Value) (float64, error) {
	switch v.Kind {
	case jsonscan.KindNumber, jsonscan.KindString:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Text), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, errInvalidField
		}
		return f, nil
	default:
		return 0, errInvalidField
	}
}

// parseExportTime reads an ISO-8601 time as the export writes it:
// 2025-07-25T18:19:41.236597+00:00 (network and DNS events, microseconds)
// or 2021-08-15T14:30Z (audit logs, minutes). Seconds and their fraction
// are optional; the zone is Z, ±hh:mm, ±hhmm or ±hh, and a time without one
// is UTC, as the docs say every time is. It returns nanoseconds since the
// epoch; false for anything else, or a time before 1970 or after 2262.
func parseExportTime(s string) (int64, bool) {
	if len(s) < 16 || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
		s[10] != 'T' && s[10] != 't' && s[10] != ' ' {
		return 0, false
	}
	year, ok1 := fixedDigits(s[0:4])
	month, ok2 := fixedDigits(s[5:7])
	day, ok3 := fixedDigits(s[8:10])
	hour, ok4 := fixedDigits(s[11:13])
	minute, ok5 := fixedDigits(s[14:16])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return 0, false
	}
	rest := s[16:]
	sec, nsec := 0, 0
	if len(rest) > 0 && rest[0] == ':' {
		var ok bool
		if len(rest) < 3 {
			return 0, false
		}
		if sec, ok = fixedDigits(rest[1:3]); !ok {
			return 0, false
		}
		rest = rest[3:]
		if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
			i, scale := 1, 100_000_000
			for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
				nsec += int(rest[i]-'0') * scale // digits past nanoseconds add 0
				scale /= 10
			}
			if i == 1 {
				return 0, false
			}
			rest = rest[i:]
		}
	}
	offset := 0
	switch {
	case rest == "" || rest == "Z" || rest == "z":
	case rest[0] == '+' || rest[0] == '-':
		zone := rest[1:]
		var h, m int
		var ok bool
		switch len(zone) {
		case 2:
			h, ok = fixedDigits(zone)
		case 4, 5:
			var ok2 bool
			h, ok = fixedDigits(zone[:2])
			m, ok2 = fixedDigits(zone[len(zone)-2:])
			ok = ok && ok2 && (len(zone) == 4 || zone[2] == ':')
		}
		if !ok || h > 23 || m > 59 {
			return 0, false
		}
		offset = h*3600 + m*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return 0, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 60 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC).Add(-time.Duration(offset) * time.Second)
	if year < 1970 || year > 2261 || t.Unix() <= 0 {
		return 0, false
	}
	return t.UnixNano(), true
}

// fixedDigits reads a field of decimal digits, all of s.
func fixedDigits(s string) (int, bool) {
	n := 0
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn is the length of a month of the Gregorian calendar.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
