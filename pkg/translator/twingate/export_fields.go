// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "strings"

// exportKind is what an export event is, by its event_type.
type exportKind uint8

const (
	kindOther   exportKind = iota // data_loss_prevention, and types not documented
	kindNetwork                   // network_access, or network as one docs page has it
	kindDNS                       // dns_filtering
	kindAudit                     // audit_log
	numKinds
)

// exportKinds maps the export's event_type values to their kind.
var exportKinds = map[string]exportKind{
	"network_access": kindNetwork,
	"network":        kindNetwork,
	"dns_filtering":  kindDNS,
	"audit_log":      kindAudit,
}

// xfield is a scalar field of an export event that the mapping names; it
// indexes exportEvent.values. The same meaning has the same field in every
// event type (connection.client_ip in network and DNS events).
type xfield uint8

const (
	xTime xfield = iota
	xStatus
	xAction
	xClientIP
	xProtocol
	xBytesReceived
	xBytesTransferred
	xErrorMessage
	xConnectorID
	xConnectorName
	xNetworkID
	xNetworkName
	xResourceAddress
	xAppliedRule
	xResourceID
	xResourceIP
	xResourcePort
	xDeviceID
	xUserEmail
	xUserID
	xLat
	xLon
	xDomain
	numXFields
)

// xfieldPaths is where each field is inside the event object ("event").
var xfieldPaths = [numXFields]string{
	xTime:             "time",
	xStatus:           "status",
	xAction:           "action",
	xClientIP:         "connection.client_ip",
	xProtocol:         "connection.protocol",
	xBytesReceived:    "connection.bytes_received",
	xBytesTransferred: "connection.bytes_transferred",
	xErrorMessage:     "connection.error_message",
	xConnectorID:      "connector.id",
	xConnectorName:    "connector.name",
	xNetworkID:        "remote_network.id",
	xNetworkName:      "remote_network.name",
	xResourceAddress:  "resource.address",
	xAppliedRule:      "resource.applied_rule",
	xResourceID:       "resource.id",
	xResourceIP:       "resource.ip",
	xResourcePort:     "resource.port",
	xDeviceID:         "device.id",
	xUserEmail:        "user.email",
	xUserID:           "user.id",
	xLat:              "location.lat",
	xLon:              "location.lon",
	xDomain:           "domain",
}

func (f xfield) path() string { return xfieldPaths[f] }

// exportSchemas says, per kind, which fields the mapping names, and which
// objects it flattens: the fields of a flattened object become
// twingate.<object>.<key> (device.name → twingate.device.name) rather than
// one map attribute twingate.<object>. Every other field is kept as
// twingate.<path> with its JSON type, as with connector lines. Events of
// other kinds keep all their fields that way.
var exportSchemas = [numKinds]struct {
	fields  []xfield
	flatten []string
	relays  bool
}{
	kindNetwork: {
		fields: []xfield{
			xTime, xStatus, xClientIP, xProtocol, xBytesReceived, xBytesTransferred, xErrorMessage,
			xConnectorID, xConnectorName, xNetworkID, xNetworkName, xResourceAddress, xAppliedRule,
			xResourceID, xResourceIP, xResourcePort, xDeviceID, xUserEmail, xUserID, xLat, xLon,
		},
		flatten: []string{"service_account"},
		relays:  true,
	},
	kindDNS: {
		fields:  []xfield{xTime, xStatus, xDomain, xClientIP, xDeviceID, xUserEmail, xUserID},
		flatten: []string{"connection", "device", "user"},
	},
	kindAudit: {
		fields:  []xfield{xTime, xAction},
		flatten: []string{"actor", "actor.info"},
	},
	kindOther: {
		fields: []xfield{xTime},
	},
}

// xentry is what a key of a known object stands for: a field, a known
// object (child), the relays, or nothing the mapping names (unknown).
type xentry struct {
	key    string
	field  int // an xfield, or -1
	child  int // an index into the kind's objects, or -1
	relays bool
}

// xobject is a known object of an export event: its dotted path inside the
// event ("" for the event itself) and its keys.
type xobject struct {
	path    string
	entries []xentry
}

// exportObjects are the known objects of each kind, built from
// exportSchemas; index 0 is the event object itself.
var exportObjects = func() (all [numKinds][]xobject) {
	for kind := range numKinds {
		schema := exportSchemas[kind]
		objs := []xobject{{path: ""}}
		// object finds or adds the object at path, with its parents.
		var object func(path string) int
		object = func(path string) int {
			for i := range objs {
				if objs[i].path == path {
					return i
				}
			}
			parentPath, key := "", path
			if dot := strings.LastIndexByte(path, '.'); dot >= 0 {
				parentPath, key = path[:dot], path[dot+1:]
			}
			parent := object(parentPath)
			objs = append(objs, xobject{path: path})
			child := len(objs) - 1
			objs[parent].entries = append(objs[parent].entries, xentry{key: key, field: -1, child: child})
			return child
		}
		for _, f := range schema.fields {
			path := f.path()
			parentPath, key := "", path
			if dot := strings.LastIndexByte(path, '.'); dot >= 0 {
				parentPath, key = path[:dot], path[dot+1:]
			}
			parent := object(parentPath)
			objs[parent].entries = append(objs[parent].entries, xentry{key: key, field: int(f), child: -1})
		}
		for _, path := range schema.flatten {
			object(path)
		}
		if schema.relays {
			objs[0].entries = append(objs[0].entries, xentry{key: "relays", field: -1, child: -1, relays: true})
		}
		all[kind] = objs
	}
	return all
}()

// exportEntry finds key in a known object; ok is false for a key the
// mapping does not name. The objects have a handful of keys: a linear scan
// beats hashing.
func exportEntry(obj *xobject, key string) (*xentry, bool) {
	for i := range obj.entries {
		if e := &obj.entries[i]; e.key == key {
			return e, true
		}
	}
	return nil, false
}

// exportPlainFields is README's S3 sync mapping table for the fields that
// need no more than a type check; export_mapping.go has a function for each
// of the others (time, status or action, client address, server address,
// transport, connector and network, relays, location, unknown fields).
var exportPlainFields = []struct {
	field xfield
	attr  string
	typ   valueType
}{
	{xResourceIP, AttrNetworkPeerAddress, text},
	{xResourcePort, AttrServerPort, port},
	{xBytesReceived, AttrRxBytes, count},
	{xBytesTransferred, AttrTxBytes, count},
	{xErrorMessage, AttrErrorMessage, text},
	{xDeviceID, AttrDeviceID, text},
	{xAppliedRule, AttrAppliedRule, text},
	{xResourceID, AttrResourceID, text},
	{xUserEmail, AttrUserEmail, text},
	{xUserID, AttrUserID, text},
	{xDomain, AttrDNSQuestionName, text},
}
