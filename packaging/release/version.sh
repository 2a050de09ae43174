#!/bin/sh
# The version is written once, as dist.version in builder-config.yaml (ocb
# stamps it into the binary). Without an argument this prints it (the
# Makefile's VERSION); with one it fails unless the argument is that version:
# goreleaser's before hook passes the version it is releasing (the tag without
# its "v", or a snapshot's version), so a tag that does not match
# builder-config.yaml fails the release before anything is built.
set -eu
cd "$(dirname "$0")/../.."
version=$(awk '/^dist:/ {d = 1; next} /^[^ #]/ {d = 0} d && $1 == "version:" {print $2}' builder-config.yaml)
if [ -z "$version" ]; then
  echo "builder-config.yaml has no dist.version" >&2
  exit 1
fi
if [ $# -eq 0 ]; then
  echo "$version"
  exit 0
fi
if [ "$1" != "$version" ]; then
  echo "release version $1 is not dist.version $version of builder-config.yaml:" >&2
  echo "  tag v$version, or change dist.version (and CHANGELOG.md) first" >&2
  exit 1
fi
