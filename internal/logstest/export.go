// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package logstest

import (
	"bytes"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog"
)

var exportStatuses = []string{"established_connection", "closed_connection", "failed_to_connect", "denied_access"}

// ExportEvent is network_access event number i as Twingate's S3 sync writes
// it (the documented example, compact), told apart by its device.id
// dev-<i>, which maps to twingate.device.id.
func ExportEvent(i int) string {
	errMsg := ""
	status := exportStatuses[i%len(exportStatuses)]
	if status == "denied_access" || status == "failed_to_connect" {
		errMsg = `,"error_message":"no policy allows this connection"`
	}
	return fmt.Sprintf(`{"event_type":"network_access","event":{"version":1,"time":"2025-07-25T18:19:41.%06d+00:00",`+
		`"status":%q,"connection":{"client_ip":"1.2.3.4","protocol":"tcp","bytes_received":338,"bytes_transferred":404%s},`+
		`"connector":{"id":"123456","name":"faithful-pigeon"},"remote_network":{"id":"789012","name":"aws-us-east-1-dev"},`+
		`"resource":{"address":"argocd.eks.twindemo.int","applied_rule":"argocd.eks.twindemo.int","id":"1234567","ip":"10.11.12.13","port":80},`+
		`"relays":[{"ip":"1.2.3.4","name":"relaybalancer+https://relays-prm.twingate.com","port":30501}],`+
		`"device":{"id":"dev-%07d"},"user":{"id":"890123","email":"janedoe@twindemo.com"},"location":{"lat":39.84,"lon":-100.04}}}`,
		i%1_000_000, status, errMsg, i)
}

// ExportObject is an S3 sync object holding events from..to-1, one per line.
func ExportObject(from, to int) []byte {
	var b bytes.Buffer
	for i := from; i < to; i++ {
		b.WriteString(ExportEvent(i))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// CountExportRecords counts the records of all per twingate.device.id.
func CountExportRecords(all []plog.Logs) map[string]int {
	counts := map[string]int{}
	for _, lr := range LogRecords(all) {
		id := ""
		if v, ok := lr.Attributes().Get("twingate.device.id"); ok {
			id = v.AsString()
		}
		counts[id]++
	}
	return counts
}

// CheckExportDelivery compares counts (of CountExportRecords) with the
// ExportEvent records from..to-1.
func CheckExportDelivery(counts map[string]int, from, to int) Delivery {
	return checkDelivery(counts, from, to, func(i int) string { return fmt.Sprintf("dev-%07d", i) })
}
