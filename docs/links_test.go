// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package docs holds the user documentation. Its test keeps every Markdown
// file of the repository navigable: each relative link names a file or
// folder that exists, and each #anchor a heading of the page it points to.
package docs

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the checkout this package lives in.
const repoRoot = ".."

// inlineLink matches [text](target) and ![alt](target); the target ends at
// the first space (a title may follow) or closing parenthesis.
var inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// inlineCode matches `code` spans, whose text is not markup.
var inlineCode = regexp.MustCompile("`[^`]*`")

// page is what a link can reach in one Markdown file.
type page struct {
	links   []link
	anchors map[string]bool
}

type link struct {
	line   int
	target string
}

// readPage collects the links and the heading anchors of a Markdown file,
// outside fenced code blocks and code spans.
func readPage(t *testing.T, path string) page {
	t.Helper()
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	p := page{anchors: map[string]bool{}}
	seen := map[string]int{}
	fence := ""
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if f := fenceOf(trimmed); f != "" {
			switch {
			case fence == "":
				fence = f
			case strings.HasPrefix(f, fence):
				fence = ""
			}
			continue
		}
		if fence != "" {
			continue
		}
		if heading, ok := strings.CutPrefix(trimmed, "#"); ok && strings.HasPrefix(strings.TrimLeft(heading, "#"), " ") {
			a := anchor(strings.TrimSpace(strings.TrimLeft(heading, "#")))
			// GitHub numbers repeated headings: x, x-1, x-2, ...
			if k := seen[a]; k > 0 {
				p.anchors[a+"-"+strconv.Itoa(k)] = true
			} else {
				p.anchors[a] = true
			}
			seen[a]++
		}
		for _, m := range inlineLink.FindAllStringSubmatch(inlineCode.ReplaceAllString(line, ""), -1) {
			p.links = append(p.links, link{line: n, target: m[1]})
		}
	}
	require.NoError(t, sc.Err())
	return p
}

// fenceOf returns the fence a line opens or closes (``` or ~~~, any length).
func fenceOf(line string) string {
	for _, c := range []string{"`", "~"} {
		if strings.HasPrefix(line, c+c+c) {
			return strings.Repeat(c, len(line)-len(strings.TrimLeft(line, c)))
		}
	}
	return ""
}

// anchor is GitHub's id for a heading: lower case; letters, digits, spaces,
// hyphens and underscores kept, everything else dropped; spaces become
// hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// markdownFiles lists the repository's Markdown files, outside the build
// directory and hidden folders.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != repoRoot && (strings.HasPrefix(name, ".") || name == "_build") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") {
			files = append(files, path)
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

func TestAnchor(t *testing.T) {
	for _, c := range []struct{ heading, want string }{
		{"Delivery guarantees", "delivery-guarantees"},
		{"systemd (Connector package)", "systemd-connector-package"},
		{"Package (.deb, .rpm) next to the Connector's", "package-deb-rpm-next-to-the-connectors"},
		{"`s3` input", "s3-input"},
		{"Fleet: agents, Kafka and gateways", "fleet-agents-kafka-and-gateways"},
		{"What is_this — a test", "what-is_this--a-test"},
	} {
		assert.Equal(t, c.want, anchor(c.heading), c.heading)
	}
}

// TestLinks: every relative link in every Markdown file resolves, and so
// does its #anchor.
func TestLinks(t *testing.T) {
	files := markdownFiles(t)
	require.Contains(t, files, filepath.Join(repoRoot, "README.md"))
	pages := map[string]page{}
	get := func(path string) page {
		p, ok := pages[path]
		if !ok {
			p = readPage(t, path)
			pages[path] = p
		}
		return p
	}
	checked := 0
	for _, file := range files {
		for _, l := range get(file).links {
			target := l.target
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			checked++
			where := file + ":" + strconv.Itoa(l.line) + ": " + target
			path, frag, _ := strings.Cut(target, "#")
			dest := file
			if path != "" {
				dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
				info, err := os.Stat(dest)
				if !assert.NoError(t, err, "%s: no such file", where) {
					continue
				}
				if info.IsDir() {
					assert.Empty(t, frag, "%s: an anchor into a folder", where)
					continue
				}
			}
			if frag == "" {
				continue
			}
			if !strings.HasSuffix(dest, ".md") {
				// A line anchor (#L10) into a source file: the file exists.
				continue
			}
			assert.True(t, get(dest).anchors[frag], "%s: no heading with anchor #%s in %s", where, frag, dest)
		}
	}
	assert.Positive(t, checked, "links were checked")
}
