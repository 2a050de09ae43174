// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
)

// Where a first run without a checkpoint starts.
const (
	// StartAtEnd reads only the objects whose keys sort after the newest key
	// present at the first listing: what Twingate writes from then on.
	StartAtEnd = "end"
	// StartAtBeginning reads every object in the bucket (a backfill).
	StartAtBeginning = "beginning"
)

// Config is where Twingate's S3 sync writes and how the input reads it.
// Credentials come from the AWS SDK's default chain (environment, shared
// config and credentials files, web identity / IRSA, ECS and EC2 roles).
type Config struct {
	// Bucket is the bucket named in the Twingate Admin Console's S3 sync.
	Bucket string `mapstructure:"bucket"`
	// Region is the bucket's AWS region.
	Region string `mapstructure:"region"`
	// Prefix limits the objects read to keys that start with it. Twingate
	// writes at the bucket root, so it is empty unless objects were copied
	// elsewhere.
	Prefix string `mapstructure:"prefix"`
	// Endpoint replaces the AWS endpoint, for S3-compatible stores
	// (e.g. http://minio:9000) or a VPC endpoint.
	Endpoint string `mapstructure:"endpoint"`
	// UsePathStyle addresses the bucket as <endpoint>/<bucket> instead of
	// <bucket>.<endpoint>; most S3-compatible stores need it.
	UsePathStyle bool `mapstructure:"use_path_style"`
	// StartAt is end (the default) or beginning; see StartAtEnd. With a
	// storage extension it applies only to the first run.
	StartAt string `mapstructure:"start_at"`
	// PollInterval is the time between two listings of the bucket.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// BatchSize is how many events are delivered at once: an object is
	// delivered in batches of this many events as they are read, never
	// held whole.
	BatchSize int `mapstructure:"batch_size"`
	// MaxEventSize bounds one event in bytes; a longer one is flagged, not
	// held.
	MaxEventSize helper.ByteSize `mapstructure:"max_event_size"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// NewDefaultConfig lists every minute and reads new objects only.
func NewDefaultConfig() Config {
	return Config{
		StartAt:      StartAtEnd,
		PollInterval: time.Minute,
		BatchSize:    1000,
		MaxEventSize: 1 << 20,
	}
}

// Validate names the key of every mistake.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.Bucket == "" {
		errs = append(errs, errors.New("'bucket' must be set (the bucket named in the Twingate Admin Console's S3 sync)"))
	}
	if cfg.Region == "" {
		errs = append(errs, errors.New("'region' must be set (the bucket's AWS region, e.g. us-east-1)"))
	}
	switch cfg.StartAt {
	case StartAtEnd, StartAtBeginning:
	default:
		errs = append(errs, fmt.Errorf("'start_at' must be %q or %q, got %q", StartAtEnd, StartAtBeginning, cfg.StartAt))
	}
	if cfg.PollInterval <= 0 {
		errs = append(errs, fmt.Errorf("'poll_interval' must be positive, got %s", cfg.PollInterval))
	}
	if cfg.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("'batch_size' must be positive, got %d", cfg.BatchSize))
	}
	if cfg.MaxEventSize <= 0 {
		errs = append(errs, fmt.Errorf("'max_event_size' must be positive, got %d", cfg.MaxEventSize))
	}
	if cfg.Endpoint != "" {
		if u, err := url.Parse(cfg.Endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("'endpoint' must be a URL such as https://s3.example.com:9000, got %q", cfg.Endpoint))
		}
	}
	return errors.Join(errs...)
}
