// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidate: each mistake is reported with the key it is in; the
// receiver's config test checks the same through confmap (prefixed "s3:").
func TestValidate(t *testing.T) {
	valid := func() Config {
		c := NewDefaultConfig()
		c.Bucket, c.Region = "twingate-events", "us-east-1"
		return c
	}
	ok := valid()
	require.NoError(t, ok.Validate())
	for name, tc := range map[string]struct {
		mutate func(*Config)
		want   []string
	}{
		"nothing set": {func(c *Config) { *c = NewDefaultConfig() }, []string{"'bucket' must be set", "'region' must be set"}},
		"start_at":    {func(c *Config) { c.StartAt = "now" }, []string{`'start_at' must be "end" or "beginning", got "now"`}},
		"poll_interval": {
			func(c *Config) { c.PollInterval = -time.Second },
			[]string{"'poll_interval' must be positive, got -1s"},
		},
		"batch_size":     {func(c *Config) { c.BatchSize = 0 }, []string{"'batch_size' must be positive, got 0"}},
		"max_event_size": {func(c *Config) { c.MaxEventSize = 0 }, []string{"'max_event_size' must be positive, got 0"}},
		"endpoint":       {func(c *Config) { c.Endpoint = "minio:9000" }, []string{`'endpoint' must be a URL`}},
	} {
		t.Run(name, func(t *testing.T) {
			c := valid()
			tc.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
