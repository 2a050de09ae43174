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
	// fields are the object's fields: fieldPaths lists each object's fields
	// together, so they are a range of field values.
	first, end field
	// slots finds a field by its key's slot (see slotOf). One slot lookup and
	// one string comparison cost less than a switch over the keys.
	slots [numSlots]slot
}

// slot is a key in a lookup table and what it stands for.
type slot struct {
	key   string
	index int // the field, or the object; -1 for none
}

// numSlots is the size of the key lookup tables; keyed objects hold at most
// ten keys.
const numSlots = 64

// slotOf places a key in a lookup table by its length and its first and last
// bytes. The keys of one table never share a slot: newSlots panics on a
// collision, so a new key that would collide fails every test at once.
func slotOf(key string) int {
	if key == "" {
		return 0
	}
	return (len(key) + int(key[0]) + 2*int(key[len(key)-1])) % numSlots
}

// newSlots builds the lookup table of keys, keys[i] standing for index[i].
func newSlots(keys []string, index []int) (t [numSlots]slot) {
	for i := range t {
		t[i].index = -1
	}
	for i, k := range keys {
		s := &t[slotOf(k)]
		if s.index >= 0 {
			panic("twingate: keys " + s.key + " and " + k + " share a lookup slot; change slotOf")
		}
		*s = slot{key: k, index: index[i]}
	}
	return t
}

// lookup finds the index of key in a table built by newSlots, -1 for an
// unknown key.
func lookup(t *[numSlots]slot, key string) int {
	if s := &t[slotOf(key)]; s.key == key {
		return s.index
	}
	return -1
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
	for i := range o {
		var keys []string
		var index []int
		o[i].first = numFields
		for f, p := range fieldPaths {
			if p.object != i {
				continue
			}
			if len(index) > 0 && f != index[len(index)-1]+1 {
				panic("twingate: the fields of " + o[i].name + " must be listed together")
			}
			if len(index) == 0 {
				o[i].first = field(f)
			}
			keys, index = append(keys, p.key), append(index, f)
			o[i].end = field(f + 1)
		}
		o[i].slots = newSlots(keys, index)
	}
	return o
}()

// objectSlots finds a known object by its key.
var objectSlots = func() [numSlots]slot {
	names, index := make([]string, numObjects), make([]int, numObjects)
	for i := range objects {
		names[i], index[i] = objects[i].name, i
	}
	return newSlots(names, index)
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
func objectIndex(key string) int { return lookup(&objectSlots, key) }

// fieldIn finds a field of object obj by its key.
func fieldIn(obj int, key string) (field, bool) {
	f := lookup(&objects[obj].slots, key)
	return field(f), f >= 0
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

// plainFields is the README's mapping table for the fields that need no more than
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
