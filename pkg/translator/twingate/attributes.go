// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Attribute keys. Semantic conventions name what they can; twingate.* covers
// the rest. README's mapping table lists the same keys.
const (
	AttrServiceName        = string(semconv.ServiceNameKey)
	AttrConnectorID        = "twingate.connector.id"
	AttrConnectorName      = "twingate.connector.name"
	AttrRemoteNetworkID    = "twingate.remote_network.id"
	AttrRemoteNetworkName  = "twingate.remote_network.name"
	AttrClientAddress      = string(semconv.ClientAddressKey)
	AttrClientPort         = string(semconv.ClientPortKey)
	AttrServerAddress      = string(semconv.ServerAddressKey)
	AttrServerPort         = string(semconv.ServerPortKey)
	AttrNetworkPeerAddress = string(semconv.NetworkPeerAddressKey)
	AttrNetworkTransport   = string(semconv.NetworkTransportKey)
	AttrUserID             = string(semconv.UserIDKey)
	AttrUserEmail          = string(semconv.UserEmailKey)
	// AttrErrorMessage has no constant in semconv v1.43.0; the
	// registry's error.message is what it names.
	AttrErrorMessage  = "error.message"
	AttrErrorType     = string(semconv.ErrorTypeKey)
	AttrEventType     = "twingate.event_type"
	AttrConnectionID  = "twingate.connection.id"
	AttrRxBytes       = "twingate.connection.rx_bytes"
	AttrTxBytes       = "twingate.connection.tx_bytes"
	AttrDuration      = "twingate.connection.duration"
	AttrCBCTFreshness = "twingate.connection.cbct_freshness"
	AttrDeviceID      = "twingate.device.id"
	AttrResourceID    = "twingate.resource.id"
	AttrAppliedRule   = "twingate.resource.applied_rule"
	AttrRelays        = "twingate.relays"
	AttrLocation      = unknownPrefix + "location"

	// The S3 sync export's own attributes (export_mapping.go).
	AttrDNSQuestionName = string(semconv.DNSQuestionNameKey)
	AttrGeoLat          = string(semconv.GeoLocationLatKey)
	AttrGeoLon          = string(semconv.GeoLocationLonKey)
	// AttrExportEventType is the export's event_type (network_access,
	// dns_filtering, audit_log, …). It is not twingate.event_type: that
	// one holds a connection's status, as on connector lines, and every
	// record with it counts as a connection in examples/metrics.yaml.
	AttrExportEventType = "twingate.export.event_type"
	// AttrStatus is a DNS filtering event's status, AttrAction an audit
	// log's action: their twingate.<path>, kept besides the event name.
	AttrStatus = unknownPrefix + "status"
	AttrAction = unknownPrefix + "action"
	// AttrSource, on the resource, says where records came from when not
	// from a connector's output: SourceS3Sync for the export.
	AttrSource   = "twingate.source"
	SourceS3Sync = "s3_sync"

	// ServiceName is the service.name of every connector's resource.
	ServiceName = "twingate-connector"
	// ServiceNameTwingate is the service.name of events that no connector
	// reported (DNS filtering, audit logs, events of other types, network
	// events without a connector): Twingate's own, the tenant's.
	ServiceNameTwingate = "twingate"
	// unknownPrefix namespaces every field the mapping does not name.
	unknownPrefix = "twingate."
)

// Values of the error.type attribute on flagged records.
const (
	ErrorTypeInvalidJSON  = "invalid_json"
	ErrorTypeInvalidField = "invalid_field"
	ErrorTypeLineTooLong  = "line_too_long"
)

// ErrorTypes lists every error.type value, for callers that count them.
var ErrorTypes = []string{ErrorTypeInvalidJSON, ErrorTypeInvalidField, ErrorTypeLineTooLong}

// eventNames maps the documented event types to OpenTelemetry event names;
// any other type X becomes twingate.connection.X.
var eventNames = map[string]string{
	"established_connection": "twingate.connection.established",
	"closed_connection":      "twingate.connection.closed",
	"failed_to_connect":      "twingate.connection.failed",
	"denied_access":          "twingate.connection.denied",
}

// Event name prefixes of the export's DNS filtering events and audit logs:
// the status or the action follows.
const (
	dnsEventPrefix   = "twingate.dns."
	auditEventPrefix = "twingate.audit."
)

func eventName(eventType string) string {
	if name, ok := eventNames[eventType]; ok {
		return name
	}
	return "twingate.connection." + eventType
}
