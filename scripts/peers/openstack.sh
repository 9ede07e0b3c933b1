#!/usr/bin/env bash
# A real single-node OpenStack (Keystone, Nova with the fake virt driver, Cinder with its fake
# volume driver, Glance, Placement, Swift) on 127.0.0.1 for the OpenStack adapter's live tests.
# Debian 12 packages (OpenStack Zed), started by hand: no systemd, no containers. Needs root.
#
#   scripts/peers/openstack.sh install        apt packages + unpacked .debs (idempotent; ~3 min
#                                             the first time, ~1 s after). No daemon is started.
#   scripts/peers/openstack.sh start          start everything, wait until servers, volumes and
#                                             objects really work, write clouds.yaml, print the
#                                             Keystone URL (http://127.0.0.1:5000/v3). Prints the
#                                             URL at once when already running.
#   scripts/peers/openstack.sh stop [--wipe]  stop it (by recorded PIDs only); --wipe also deletes
#                                             its databases, logs and clouds.yaml. No-op if none.
#   scripts/peers/openstack.sh status         exit 0 when it runs (and print its process count and
#                                             memory), 1 otherwise
#   scripts/peers/openstack.sh url            print the Keystone URL of the running cloud
#   scripts/peers/openstack.sh env            print the exports that point openstacksdk at it:
#                                             eval "$(scripts/peers/openstack.sh env)"
#
# State lives in .peers/openstack/ at the repository root (CN_OPENSTACK_STATE overrides):
# clouds.yaml, run/ (configs, logs, MariaDB, PID files), debs/ (unpacked files). Clouds in
# clouds.yaml: cn-admin (admin/admin, project admin) and cn-demo (demo/demo, project demo, a
# plain member); region RegionOne. Fixed ports: see scripts/peers/openstack/common.sh.
# Details, timings and what the adapter needs: scripts/peers/openstack/README.md and
# ADAPTER-NOTES.md beside it.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/openstack" && pwd)"
source "$DIR/common.sh"

running() { [[ -f "$RUN/ready" ]] && bash "$DIR/stop.sh" --check; }

status() {
    running || { echo "openstack peer is not running" >&2; return 1; }
    local groups=() pid st pids rss
    for f in "$RUN"/pids/*.pid; do read -r pid st <"$f"; groups+=("$pid"); done
    pids=$(ps -e -o pid=,pgid= | awk -v g=" ${groups[*]} " 'index(g, " " $2 " ") {print $1}')
    rss=$(for p in $pids; do awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null; done | awk '{s += $1} END {print int(s / 1024)}')
    echo "openstack peer running at $KEYSTONE_URL: ${#groups[@]} services, $(echo "$pids" | wc -w) processes, RSS ${rss} MiB"
}

case "${1:-}" in
    install) bash "$DIR/install.sh" ;;
    start) bash "$DIR/start.sh" ;;
    stop)
        case "${2:-}" in
            ""|--wipe) bash "$DIR/stop.sh" ${2:+"$2"} ;;
            *) echo "usage: $0 stop [--wipe]" >&2; exit 2 ;;
        esac ;;
    status) status ;;
    url) running && echo "$KEYSTONE_URL" || { echo "openstack peer is not running" >&2; exit 1; } ;;
    env)
        [[ -f "$STATE/clouds.yaml" ]] || { echo "no $STATE/clouds.yaml: run $0 start" >&2; exit 1; }
        echo "export OS_CLIENT_CONFIG_FILE='$STATE/clouds.yaml'"
        echo "export OS_CLOUD=cn-demo  # or cn-admin"
        ;;
    *) echo "usage: $0 install | start | stop [--wipe] | status | url | env" >&2; exit 2 ;;
esac
