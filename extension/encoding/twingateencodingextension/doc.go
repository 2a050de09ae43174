// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package twingateencodingextension is the twingate_encoding extension: a
// logs unmarshaler (contrib's encoding extension interface) that turns the
// output of Twingate Connectors into log records with the twingateanalytics
// receiver's mapping, so that any receiver taking an encoding extension
// (kafka, and others) decodes connector lines that another shipper carried.
//
// A payload is one or more newline-separated connector lines, exactly as the
// connector printed them (ANALYTICS lines, its other lines, blank lines, CRLF
// endings), or one bare JSON event without the ANALYTICS prefix, as shippers
// that strip it send; or an object of Twingate's S3 sync export, as
// awss3receiver passes it whole (format auto, lines or s3_export).
package twingateencodingextension // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"
