#!/bin/sh
# After the files are removed (deb postrm: remove | purge | upgrade | ...;
# rpm %postun: 0 on erase, 1 on upgrade). Removal keeps the configuration
# (/etc/otelcol-twingate) and the journal cursor (/var/lib/otelcol-twingate);
# a deb purge deletes both and the unit's enablement. The otelcol-twingate
# user stays: files elsewhere may still belong to it.
set -e
if [ "$1" = purge ]; then
  rm -rf /etc/otelcol-twingate /var/lib/otelcol-twingate
  rm -f /etc/systemd/system/multi-user.target.wants/otelcol-twingate.service
fi
[ -d /run/systemd/system ] && systemctl daemon-reload || true
exit 0
