#!/usr/bin/env bash
# The OS packages `make test` needs, installed when missing (`make deps`, the
# first step of `make test`). Everything else the tests start or read is
# built from Go modules into _build/ (ocb, Prometheus 3 and promtool,
# VictoriaLogs, nfpm; the .rpm and the image are read with Go libraries).
# These few have no Go replacement:
#   - journalctl (systemd): stanza's journald input runs it; the receiver's
#     and the e2e journald tests read real journals with it.
#   - systemd-journal-remote (systemd-journal-remote): the delivery and fleet
#     tests write real journal files with it while the collector reads them.
#     No Go module writes journal files (go-systemd and the others send to a
#     running journald, or read with libsystemd).
#   - systemd-analyze (systemd): verifies the packaged unit and the deploy
#     examples' units.
#   - dpkg-deb (dpkg): reads the .deb as dpkg does.
#   - unshare, setpriv (util-linux): the .deb install test's private root,
#     the service user's view.
#   - ca-certificates: the image carries the machine's CA bundle.
# Installs with apt-get, with `sudo -n` when not root; when it cannot (no
# apt-get, no sudo, or sudo wants a password) it stops at once and prints
# the command to run. Installs nothing when everything is there.
set -euo pipefail

# "check|package|why": check is a command name, or a path (any of several
# separated by ':'): an executable, or a non-empty file when it ends in .crt.
needs=(
  "journalctl|systemd|journalctl reads journals (journald input tests)"
  "/usr/lib/systemd/systemd-journal-remote:/lib/systemd/systemd-journal-remote|systemd-journal-remote|writes the journals the delivery and fleet tests read"
  "systemd-analyze|systemd|verifies the packaged systemd unit"
  "dpkg-deb|dpkg|reads the .deb"
  "unshare|util-linux|runs the .deb install test in a private root"
  "setpriv|util-linux|runs the packaged binary as the service user"
  "/etc/ssl/certs/ca-certificates.crt|ca-certificates|the CA bundle the image carries"
)

missing=()
why=()
for n in "${needs[@]}"; do
  IFS='|' read -r check pkg reason <<<"$n"
  found=no
  if [[ $check == /* ]]; then
    IFS=: read -ra paths <<<"$check"
    for p in "${paths[@]}"; do
      if [[ $p == *.crt ]]; then [[ -s $p ]] && found=yes; else [[ -x $p ]] && found=yes; fi
    done
  else
    command -v "$check" >/dev/null && found=yes
  fi
  if [[ $found == no ]]; then
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
    why+=("  $pkg: ${check%%:*} ($reason)")
  fi
done
((${#missing[@]})) || exit 0

install=(apt-get install -y -q --no-install-recommends "${missing[@]}")
echo "make test needs these OS packages (nothing in Go replaces them):"
printf '%s\n' "${why[@]}"
stop() {
  echo "cannot install them: $1. Run this, then make test again:" >&2
  echo "  sudo apt-get update && sudo ${install[*]}" >&2
  exit 1
}
command -v apt-get >/dev/null || stop "no apt-get (not Debian/Ubuntu); install the packages named above"
sudo=()
if [[ $EUID -ne 0 ]]; then
  command -v sudo >/dev/null || stop "not root and no sudo"
  sudo -n true 2>/dev/null || stop "not root and sudo asks for a password"
  sudo=(sudo -n)
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" "${install[@]}"
