#!/bin/sh
# Prints the section of CHANGELOG.md for version $1 (the lines between its
# "## [$1]" heading and the next "## [" heading), which the release workflow
# hands to goreleaser as the release notes (--release-notes). Fails when
# CHANGELOG.md has no such section, or an empty one: a release says what
# changed.
set -eu
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { echo "usage: $0 VERSION" >&2; exit 2; }
notes=$(awk -v v="$1" '
  index($0, "## [") == 1 { if (found) exit; if (index($0, "## [" v "]") == 1) { found = 1; next } }
  found { print }
' CHANGELOG.md)
if [ -z "$(printf '%s' "$notes" | tr -d '[:space:]')" ]; then
  echo "CHANGELOG.md has no section \"## [$1]\" (or it is empty)" >&2
  exit 1
fi
printf '%s\n' "$notes" | sed -e '/./,$!d'
