// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Command linegen writes a deterministic file of realistic Twingate Connector
// output for `make bench`.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
)

func main() {
	lines := flag.Int("lines", 1_000_000, "number of lines to write")
	out := flag.String("out", "", "output file")
	seed := flag.Uint64("seed", 1, "generator seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "linegen: -out is required")
		os.Exit(2)
	}
	if err := write(*out, *lines, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "linegen:", err)
		os.Exit(1)
	}
}

func write(path string, lines int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g := linegen.New(seed)
	var buf []byte
	analytics := 0
	for range lines {
		buf = g.AppendLine(buf[:0])
		if !linegen.IsNoise(buf) {
			analytics++
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return errors.Join(err, f.Close())
		}
	}
	if err := w.Flush(); err != nil {
		return errors.Join(err, f.Close())
	}
	// The ANALYTICS count goes to stdout: it is the record count to wait for.
	fmt.Println(analytics)
	return f.Close()
}
