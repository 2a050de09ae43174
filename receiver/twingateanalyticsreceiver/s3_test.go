// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"
)

// TestS3Input runs the s3 input through the receiver against a real S3 API
// (gofakes3): the documented export events arrive through the receiver's
// delivery path and are reported on the standard metrics with transport s3.
func TestS3Input(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/aws/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	require.NoError(t, backend.CreateBucket("twingate-events"))
	for i, name := range []string{"network_access", "dns_filtering", "audit_log"} {
		body, err := testcorpus.FS.ReadFile("export/" + name + ".json")
		require.NoError(t, err)
		key := fmt.Sprintf("2025-07-25T18:%02d:00+00:00.json", 20+5*i)
		_, err = backend.PutObject("twingate-events", key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
		require.NoError(t, err)
	}

	cfg := createDefaultConfig().(*Config)
	s := cfg.S3.GetOrInsertDefault()
	s.Bucket, s.Region, s.Endpoint, s.UsePathStyle = "twingate-events", "us-east-1", srv.URL, true
	s.StartAt, s.PollInterval = s3input.StartAtBeginning, 20*time.Millisecond
	tel := inputtest.NewTelemetry(t)
	sink := startReceiver(t, cfg, tel)

	require.Eventually(t, func() bool {
		return inputtest.Sum(t, tel, "otelcol_receiver_accepted_log_records", map[string]string{"transport": "s3"}) > 0 &&
			int64(sink.LogRecordCount()) == inputtest.Sum(t, tel, "otelcol_receiver_accepted_log_records", nil)
	}, waitFor, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	names := map[string]bool{}
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				names[lr.EventName()] = true
				_, ok := lr.Attributes().Get("aws.s3.key")
				assert.True(t, ok)
			}
		}
	}
	assert.Contains(t, names, "twingate.connection.established")
	assert.Contains(t, names, "twingate.dns.blocked")
	assert.Contains(t, names, "twingate.audit.create")
}
