// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/protobuf/encoding/protowire"
)

// testLogs has resources × scopes × records log records; each record's body
// names its place.
func testLogs(name string, resources, scopes, records int) plog.Logs {
	logs := plog.NewLogs()
	for r := range resources {
		rl := logs.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", name)
		rl.Resource().Attributes().PutInt("resource", int64(r))
		for s := range scopes {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("scope")
			for i := range records {
				lr := sl.LogRecords().AppendEmpty()
				lr.Body().SetStr(name)
				lr.Attributes().PutInt("scope", int64(s))
				lr.Attributes().PutInt("i", int64(i))
			}
		}
	}
	return logs
}

func marshal(tb testing.TB, logs plog.Logs) []byte {
	tb.Helper()
	b, err := (&plog.ProtoMarshaler{}).MarshalLogs(logs)
	require.NoError(tb, err)
	return b
}

func TestCountLogRecords(t *testing.T) {
	valid := marshal(t, testLogs("a", 2, 3, 4))
	for _, tc := range []struct {
		name    string
		msg     []byte
		want    int
		wantErr string
	}{
		{name: "records", msg: valid, want: 24},
		{name: "empty message", msg: nil, want: 0},
		{name: "resources without records", msg: marshal(t, testLogs("a", 3, 1, 0)), want: 0},
		{name: "two messages concatenated", msg: append(append([]byte{}, valid...), marshal(t, testLogs("b", 1, 1, 5))...), want: 29},
		{name: "truncated", msg: valid[:len(valid)-3], wantErr: "resource_logs: unexpected EOF"},
		{name: "text", msg: []byte("ANALYTICS {\"event_type\":\"closed_connection\"}"), wantErr: ""},
		{name: "resource_logs with a varint wire type", msg: protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 7), wantErr: "resource_logs has wire type 0"},
		{name: "bad tag", msg: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, wantErr: "bad field tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := countLogRecords(tc.msg)
			if tc.name == "text" {
				// Text is not protobuf: the scan must refuse it somewhere,
				// whatever the first bytes happen to decode as.
				require.Error(t, err)
				return
			}
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
		})
	}
}

// TestConcatenationIsOneRequest: what the relay sends, messages appended to
// each other, is the ExportLogsServiceRequest holding all their
// resource_logs in order; the backend decodes it as one.
func TestConcatenationIsOneRequest(t *testing.T) {
	a, b := testLogs("a", 2, 1, 3), testLogs("b", 1, 2, 2)
	req := newRequest(1 << 20)
	for _, l := range []plog.Logs{a, b} {
		msg := marshal(t, l)
		n, err := countLogRecords(msg)
		require.NoError(t, err)
		req.add(&kgo.Record{Value: msg}, msg, n)
	}
	got := plogotlp.NewExportRequest()
	require.NoError(t, got.UnmarshalProto(req.body))
	want := plog.NewLogs()
	a.ResourceLogs().MoveAndAppendTo(want.ResourceLogs())
	b.ResourceLogs().MoveAndAppendTo(want.ResourceLogs())
	assert.Equal(t, want, got.Logs())
	assert.Equal(t, 10, req.records)
}

func TestRequestSize(t *testing.T) {
	req := newRequest(10)
	big := make([]byte, 25)
	assert.True(t, req.fits(big), "an empty request takes a message larger than max_bytes: it is sent alone")
	req.add(&kgo.Record{Value: big}, big, 1)
	assert.False(t, req.fits([]byte{1}))
	req.reset()
	assert.True(t, req.empty())
	assert.Empty(t, req.body)
	req.add(&kgo.Record{}, make([]byte, 6), 1)
	assert.True(t, req.fits(make([]byte, 4)))
	assert.False(t, req.fits(make([]byte, 5)))
}

func BenchmarkCountLogRecords(b *testing.B) {
	msg := marshal(b, testLogs("a", 20, 1, 100))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := countLogRecords(msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*2000)/b.Elapsed().Seconds(), "records/s")
}
