#!/bin/sh
# Before the package's files are unpacked (deb preinst: install | upgrade;
# rpm %pre: 1 | 2), and by hand for an install from source: the service's
# dedicated system user and group, member of systemd-journal so that
# journalctl run as that user reads the connector's journal. Idempotent.
set -e
user=otelcol-twingate
if ! getent group "$user" >/dev/null; then
  groupadd --system "$user"
fi
if ! getent passwd "$user" >/dev/null; then
  useradd --system --gid "$user" --home-dir /var/lib/otelcol-twingate --no-create-home \
    --shell /usr/sbin/nologin --comment "otelcol-twingate collector" "$user"
fi
# systemd creates the group; without it there is no journal to read.
if getent group systemd-journal >/dev/null; then
  usermod --append --groups systemd-journal "$user"
fi
