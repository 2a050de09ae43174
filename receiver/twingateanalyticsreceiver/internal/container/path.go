// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"

import (
	"regexp"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// Resource and record attributes taken from container logs. The names are
// those of contrib's container parser.
const (
	AttrLogIOStream            = "log.iostream"
	attrK8sNamespaceName       = "k8s.namespace.name"
	attrK8sPodName             = "k8s.pod.name"
	attrK8sPodUID              = "k8s.pod.uid"
	attrK8sContainerName       = "k8s.container.name"
	attrK8sContainerRestartCnt = "k8s.container.restart_count"
	attrContainerID            = "container.id"
)

var (
	// k8sLogPath is where the kubelet has the runtime write a container's log,
	// with the suffix it adds when rotating: the pattern contrib's container
	// parser matches.
	k8sLogPath = regexp.MustCompile(`^(.*/(?P<namespace>[^_/]+)_(?P<pod_name>[^_/]+)_(?P<uid>[a-f0-9\-]+)/(?P<container_name>[^._/]+)/(?P<restart_count>\d+)\.log)(\.\d{8}-\d{6})?$`)
	// dockerLogPath is where Docker's json-file driver writes a container's
	// log, with the suffix of its rotated files.
	dockerLogPath = regexp.MustCompile(`^(.*/([0-9a-f]{12,64})/([0-9a-f]{12,64})-json\.log)(\.\d+)?$`)
)

// pathInfo returns the resource attributes a container log path implies and
// the path of the live log it belongs to (a rotated file belongs to the log it
// was rotated from, so a line split across the rotation is put back together).
func pathInfo(path string) (resource []twingate.KeyValue, logPath string) {
	if m := k8sLogPath.FindStringSubmatch(path); m != nil {
		return []twingate.KeyValue{
			{Key: attrK8sNamespaceName, Value: m[2]},
			{Key: attrK8sPodName, Value: m[3]},
			{Key: attrK8sPodUID, Value: m[4]},
			{Key: attrK8sContainerName, Value: m[5]},
			{Key: attrK8sContainerRestartCnt, Value: m[6]},
		}, m[1]
	}
	if m := dockerLogPath.FindStringSubmatch(path); m != nil && m[2] == m[3] {
		return []twingate.KeyValue{{Key: attrContainerID, Value: m[2]}}, m[1]
	}
	return nil, path
}
