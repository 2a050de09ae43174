#!/bin/sh
# Before the files are removed (deb prerm: remove | upgrade | ...; rpm
# %preun: 0 on erase, 1 on upgrade). Removal stops the collector; an upgrade
# leaves it running until postinstall.sh restarts it on the new binary.
# deb keeps the unit's enablement until purge (as Debian packages do); rpm,
# which has no purge, disables it on erase.
set -e
unit=otelcol-twingate.service
case "$1" in
  remove)
    [ -d /run/systemd/system ] && systemctl stop "$unit" || true
    ;;
  0)
    systemctl --no-reload disable "$unit" || true
    [ -d /run/systemd/system ] && systemctl stop "$unit" || true
    ;;
esac
exit 0
