// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "math"

// field is a scalar field of a connection event that the mapping names; it
// indexes event.values.
type field uint8

const (
	fieldTimestamp field = iota
	fieldEventType
	fieldConnectionID
	fieldClientIP
	fieldResourceIP
	fieldResourcePort
	fieldProtocol
	fieldRx
	fieldTx
	fieldDuration
	fieldCBCTFreshness
	fieldErrorMessage
	fieldConnectorID
	fieldConnectorName
	fieldNetworkID
	fieldNetworkName
	fieldDeviceID
	fieldResourceAddress
	fieldAppliedRule
	fieldResourceID
	fieldUserEmail
	fieldUserID
	numFields
)

// topLevel is the object index of the fields outside any object.
const topLevel = -1

// fieldPaths says where each field is in the event's JSON: its object (an
// index into objects, or topLevel) and its key there.
var fieldPaths = [numFields]struct {
	object int
	key    string
}{
	fieldTimestamp:       {topLevel, "timestamp"},
	fieldEventType:       {topLevel, "event_type"},
	fieldConnectionID:    {objConnection, "id"},
	fieldClientIP:        {objConnection, "client_ip"},
	fieldResourceIP:      {objConnection, "resource_ip"},
	fieldResourcePort:    {objConnection, "resource_port"},
	fieldProtocol:        {objConnection, "protocol"},
	fieldRx:              {objConnection, "rx"},
	fieldTx:              {objConnection, "tx"},
	fieldDuration:        {objConnection, "duration"},
	fieldCBCTFreshness:   {objConnection, "cbct_freshness"},
	fieldErrorMessage:    {objConnection, "error_message"},
	fieldConnectorID:     {objConnector, "id"},
	fieldConnectorName:   {objConnector, "name"},
	fieldNetworkID:       {objRemoteNetwork, "id"},
	fieldNetworkName:     {objRemoteNetwork, "name"},
	fieldDeviceID:        {objDevice, "id"},
	fieldResourceAddress: {objResource, "address"},
	fieldAppliedRule:     {objResource, "applied_rule"},
	fieldResourceID:      {objResource, "id"},
	fieldUserEmail:       {objUser, "email"},
	fieldUserID:          {objUser, "id"},
}

// The known top-level objects, indexes into objects.
const (
	objConnection = iota
	objConnector
	objRemoteNetwork
	objDevice
	objResource
	objUser
	numObjects
)

// objectInfo is a known object: its key, whether every event must have it,
// and the fields found in it (derived from fieldPaths).
type objectInfo struct {
	name     string
	required bool
	fields   []field
}

var objects = func() [numObjects]objectInfo {
	o := [numObjects]objectInfo{
		objConnection:    {name: "connection", required: true},
		objConnector:     {name: "connector", required: true},
		objRemoteNetwork: {name: "remote_network"},
		objDevice:        {name: "device"},
		objResource:      {name: "resource"},
		objUser:          {name: "user"},
	}
	for f, p := range fieldPaths {
		if p.object != topLevel {
			o[p.object].fields = append(o[p.object].fields, field(f))
		}
	}
	return o
}()

// path is the field's dotted JSON path, as reported in invalid_fields.
func (f field) path() string {
	p := fieldPaths[f]
	if p.object == topLevel {
		return p.key
	}
	return objects[p.object].name + "." + p.key
}

// objectIndex finds a known object by its key, -1 for any other key.
func objectIndex(key string) int {
	for i := range objects {
		if objects[i].name == key {
			return i
		}
	}
	return -1
}

// fieldIn finds a field of object obj by its key.
func fieldIn(obj int, key string) (field, bool) {
	for _, f := range objects[obj].fields {
		if fieldPaths[f].key == key {
			return f, true
		}
	}
	return 0, false
}

// valueType is how a plain field's value is read and checked.
type valueType struct {
	integer bool
	lo, hi  int64 // the accepted range of an integer
}

var (
	text    = valueType{}
	port    = valueType{integer: true, lo: 0, hi: math.MaxUint16}
	count   = valueType{integer: true, lo: 0, hi: math.MaxInt64}
	integer = valueType{integer: true, lo: math.MinInt64, hi: math.MaxInt64}
)

// plainField is a field that becomes one attribute, its value as it is.
type plainField struct {
	field field
	attr  string
	typ   valueType
}

// plainFields is README's mapping table for the fields that need no more than
// a type check; mapping.go has a function for each of the others (time, event
// type, client address, server address, transport, connector and network,
// relays, location, unknown fields).
var plainFields = []plainField{
	{fieldConnectionID, AttrConnectionID, text},
	{fieldResourceIP, AttrNetworkPeerAddress, text},
	{fieldResourcePort, AttrServerPort, port},
	{fieldRx, AttrRxBytes, count},
	{fieldTx, AttrTxBytes, count},
	{fieldDuration, AttrDuration, count},
	{fieldCBCTFreshness, AttrCBCTFreshness, integer},
	{fieldErrorMessage, AttrErrorMessage, text},
	{fieldDeviceID, AttrDeviceID, text},
	{fieldAppliedRule, AttrAppliedRule, text},
	{fieldResourceID, AttrResourceID, text},
	{fieldUserEmail, AttrUserEmail, text},
	{fieldUserID, AttrUserID, text},
}
