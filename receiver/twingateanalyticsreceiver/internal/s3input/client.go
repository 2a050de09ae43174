// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"go.uber.org/zap"
)

// newClient builds the S3 client from the SDK's default configuration
// chain: credentials from the environment, the shared config and
// credentials files, web identity (IRSA), or the ECS / EC2 role. Nothing is
// requested here; credentials are resolved with the first request.
func newClient(ctx context.Context, cfg *Config, logger *zap.Logger) (*s3.Client, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(cfg.Region),
		config.WithLogger(sdkLogger{logger}))
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration (credentials chain): %w", err)
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.UsePathStyle
	}), nil
}

// sdkLogger passes what the SDK logs to the collector's logger at debug
// level (the SDK's own logger prints to stdout, e.g. a line per object
// that carries no checksum).
type sdkLogger struct{ logger *zap.Logger }

func (l sdkLogger) Logf(classification logging.Classification, format string, v ...any) {
	if ce := l.logger.Check(zap.DebugLevel, "AWS SDK: "+fmt.Sprintf(format, v...)); ce != nil {
		ce.Write(zap.String("classification", string(classification)))
	}
}

// The S3 operations the input performs, the operation attribute of the
// errors counter.
const (
	opListObjects = "list_objects"
	opGetObject   = "get_object"
	// opReadObject is reading an object's body after GetObject answered.
	opReadObject = "read_object"
)

// s3Error says what failed and, for the errors a user can fix, how.
type s3Error struct {
	op, bucket, key string
	err             error
}

func (e *s3Error) Unwrap() error { return e.err }

func (e *s3Error) Error() string {
	what := fmt.Sprintf("list objects in bucket %q", e.bucket)
	if e.op != opListObjects {
		what = fmt.Sprintf("read object %q in bucket %q", e.key, e.bucket)
	}
	switch {
	case isAccessDenied(e.err) && e.op == opListObjects:
		return fmt.Sprintf("%s: access denied: the collector's credentials need s3:ListBucket on arn:aws:s3:::%s: %v", what, e.bucket, e.err)
	case isAccessDenied(e.err):
		return fmt.Sprintf("%s: access denied: the collector's credentials need s3:GetObject on arn:aws:s3:::%s/* (and kms:Decrypt if the bucket uses SSE-KMS): %v", what, e.bucket, e.err)
	case isCode(e.err, "NoSuchBucket"):
		return fmt.Sprintf("%s: the bucket does not exist: check 'bucket' (and 'region', 'endpoint') against the S3 sync settings in the Twingate Admin Console: %v", what, e.err)
	}
	return fmt.Sprintf("%s: %v", what, e.err)
}

func isAccessDenied(err error) bool {
	return isCode(err, "AccessDenied") || httpStatus(err) == http.StatusForbidden
}

func isNoSuchKey(err error) bool {
	var nsk *s3types.NoSuchKey
	return errors.As(err, &nsk) || isCode(err, "NoSuchKey")
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
