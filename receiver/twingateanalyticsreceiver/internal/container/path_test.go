// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

const containerID = "4f1c9a7e2b3d5c6a8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"

func TestPathInfo(t *testing.T) {
	k8s := func(ns, pod, uid, container, restarts string) []twingate.KeyValue {
		return []twingate.KeyValue{
			{Key: attrK8sNamespaceName, Value: ns},
			{Key: attrK8sPodName, Value: pod},
			{Key: attrK8sPodUID, Value: uid},
			{Key: attrK8sContainerName, Value: container},
			{Key: attrK8sContainerRestartCnt, Value: restarts},
		}
	}
	const uid = "3f2a6c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f"
	for _, tc := range []struct {
		path     string
		resource []twingate.KeyValue
		logPath  string
	}{
		{
			"/var/log/pods/twingate_tg-connector-7d9f8b6c5d-x2k4q_" + uid + "/connector/0.log",
			k8s("twingate", "tg-connector-7d9f8b6c5d-x2k4q", uid, "connector", "0"),
			"/var/log/pods/twingate_tg-connector-7d9f8b6c5d-x2k4q_" + uid + "/connector/0.log",
		},
		{
			// contrib's documented example
			"/var/log/pods/some-ns_kube-controller-kind-control-plane_49cc7c1fd3702c40b2686ea7486091d6/kube-controller/1.log",
			k8s("some-ns", "kube-controller-kind-control-plane", "49cc7c1fd3702c40b2686ea7486091d6", "kube-controller", "1"),
			"/var/log/pods/some-ns_kube-controller-kind-control-plane_49cc7c1fd3702c40b2686ea7486091d6/kube-controller/1.log",
		},
		{
			// rotated by the kubelet: belongs to the live 3.log
			"/var/log/pods/twingate_tg-connector-0_" + uid + "/connector/3.log.20251120-101500",
			k8s("twingate", "tg-connector-0", uid, "connector", "3"),
			"/var/log/pods/twingate_tg-connector-0_" + uid + "/connector/3.log",
		},
		{
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
			[]twingate.KeyValue{{Key: attrContainerID, Value: containerID}},
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
		},
		{
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log.2",
			[]twingate.KeyValue{{Key: attrContainerID, Value: containerID}},
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
		},
		// Not container logs: no resource, the path is the file's own.
		{
			"/var/lib/docker/containers/" + containerID + "/0123456789ab-json.log", nil,
			"/var/lib/docker/containers/" + containerID + "/0123456789ab-json.log",
		},
		{"/var/log/pods/twingate_pod_" + uid + "/connector/0.log.gz", nil, "/var/log/pods/twingate_pod_" + uid + "/connector/0.log.gz"},
		{"/var/log/pods/twingate_pod_NOT-HEX/connector/0.log", nil, "/var/log/pods/twingate_pod_NOT-HEX/connector/0.log"},
		{"/var/log/twingate/connector.log", nil, "/var/log/twingate/connector.log"},
		{"", nil, ""},
	} {
		resource, logPath := pathInfo(tc.path)
		assert.Equal(t, tc.resource, resource, tc.path)
		assert.Equal(t, tc.logPath, logPath, tc.path)
	}
}
