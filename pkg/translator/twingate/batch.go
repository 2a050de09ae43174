// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// KeyValue is a resource attribute of where lines come from.
type KeyValue struct{ Key, Value string }

// Source is what an input knows about the lines it hands over.
type Source struct {
	// resource holds attributes of the origin (host.name from journald,
	// k8s.* from a pod's log path), in the order they are added to the
	// resource; origin identifies it in a resourceKey. SetResource sets both,
	// once per origin rather than once per line.
	resource []KeyValue
	origin   string
	// Attributes are record attributes of the input (log.file.* from files).
	Attributes map[string]any
	// Timestamp is when the input says the line was written (journald, a
	// container runtime); zero when it does not know. ANALYTICS lines carry
	// their own time.
	Timestamp pcommon.Timestamp
	// Truncated is set when the input kept only the first part of the line.
	Truncated bool
}

// SetResource sets the resource attributes of the lines' origin.
func (s *Source) SetResource(resource []KeyValue) {
	s.resource, s.origin = resource, originOf(resource)
}

func originOf(resource []KeyValue) string {
	if len(resource) == 0 {
		return ""
	}
	var b strings.Builder
	for _, kv := range resource {
		b.WriteString(kv.Key)
		b.WriteByte(0)
		b.WriteString(kv.Value)
		b.WriteByte(0)
	}
	return b.String()
}

// Batch collects records into one plog.Logs, with one ResourceLogs per
// connector and origin.
type Batch struct {
	logs      plog.Logs
	scopeName string
	resources map[resourceKey]plog.LogRecordSlice
	// scratch is where a record is built before it is known to be kept and
	// which resource it belongs to; MoveTo then hands it over without a copy.
	scratch plog.LogRecord
	// ev and keys are reused from line to line.
	ev   event
	xev  exportEvent
	keys keyCache
	// last is the resource of the previous record: lines of one file almost
	// always come from one connector, and comparing beats hashing.
	last     resourceKey
	lastRecs plog.LogRecordSlice
	hasLast  bool
}

// NewBatch starts an empty batch whose records are in the scope scopeName.
func NewBatch(scopeName string) *Batch {
	return &Batch{
		logs:      plog.NewLogs(),
		scopeName: scopeName,
		resources: map[resourceKey]plog.LogRecordSlice{},
		scratch:   plog.NewLogRecord(),
		keys:      keyCache{},
	}
}

// Logs returns the records appended so far.
func (b *Batch) Logs() plog.Logs { return b.logs }

func (b *Batch) records(key resourceKey, src *Source) plog.LogRecordSlice {
	if b.hasLast && key == b.last {
		return b.lastRecs
	}
	recs, ok := b.resources[key]
	if !ok {
		recs = b.newResource(key, src)
		b.resources[key] = recs
	}
	b.last, b.lastRecs, b.hasLast = key, recs, true
	return recs
}

func (b *Batch) newResource(key resourceKey, src *Source) plog.LogRecordSlice {
	rl := b.logs.ResourceLogs().AppendEmpty()
	attrs := rl.Resource().Attributes()
	service := key.service
	if service == "" {
		service = ServiceName
	}
	attrs.PutStr(AttrServiceName, service)
	for _, kv := range []KeyValue{
		{AttrConnectorID, key.connectorID},
		{AttrConnectorName, key.connectorName},
		{AttrRemoteNetworkID, key.networkID},
		{AttrRemoteNetworkName, key.networkName},
		{AttrSource, key.source},
	} {
		if kv.Value != "" {
			attrs.PutStr(kv.Key, kv.Value)
		}
	}
	for _, kv := range src.resource {
		attrs.PutStr(kv.Key, kv.Value)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(b.scopeName)
	return sl.LogRecords()
}

// commit moves the scratch record into the batch.
func (b *Batch) commit(key resourceKey, src *Source) {
	b.scratch.MoveTo(b.records(key, src).AppendEmpty())
}

// discard empties the scratch record of a line that is not kept.
func (b *Batch) discard() {
	plog.NewLogRecord().MoveTo(b.scratch)
}
