#!/bin/sh
# After unpacking (deb postinst: configure [previous-version]; rpm %post:
# 1 on install, 2 on upgrade). The unit is enabled on a first install only
# (an upgrade keeps what the administrator chose), and started or restarted
# only once OTLP_ENDPOINT is set in the environment file: until then a start
# is skipped by the unit's ExecCondition, so nothing fails at boot.
set -e
case "$1" in
  configure) [ -z "$2" ] && first=yes || first=no ;;
  1) first=yes ;;
  2) first=no ;;
  *) exit 0 ;; # abort-upgrade and friends: nothing changed
esac
unit=otelcol-twingate.service
env_file=/etc/otelcol-twingate/otelcol-twingate.env

# The unit's StateDirectory, created now so that the layout is complete
# before the first start; systemd keeps its owner and mode.
install -d -o otelcol-twingate -g otelcol-twingate -m 0700 /var/lib/otelcol-twingate

running=no
[ -d /run/systemd/system ] && running=yes
[ "$running" = yes ] && systemctl daemon-reload
# systemctl enable also works without a running systemd (containers, chroots).
[ "$first" = yes ] && systemctl enable "$unit"

# The last OTLP_ENDPOINT= line wins, as in systemd's EnvironmentFile.
endpoint=$(sed -n 's/^[[:space:]]*OTLP_ENDPOINT=[[:space:]]*//p' "$env_file" | tail -n 1 | tr -d "\"'[:space:]")
if [ -z "$endpoint" ]; then
  echo "otelcol-twingate: enabled but not started: OTLP_ENDPOINT is empty in $env_file."
  echo "  Set OTLP_ENDPOINT (and OTLP_AUTHORIZATION) there, then: systemctl start otelcol-twingate"
  echo "  Until then every start, at boot too, is skipped (see: systemctl status otelcol-twingate)."
elif [ "$running" = no ]; then
  echo "otelcol-twingate: systemd is not running here; not started."
else
  # A first install starts it; an upgrade restarts a running collector on
  # the new binary and leaves a stopped one stopped. A collector that does
  # not come up (say, a broken config.yaml) does not fail the installation.
  action=try-restart
  [ "$first" = yes ] && action=start
  systemctl "$action" "$unit" ||
    echo "otelcol-twingate: systemctl $action failed; see: journalctl -u otelcol-twingate" >&2
fi
