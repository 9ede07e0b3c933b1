#!/usr/bin/env bash
# Stop what start.sh started, by the PIDs it recorded in $RUN/pids/NAME.pid ("PID STARTTIME").
# start.sh ran each process in a session of its own, so the process group with that id holds
# the process and every child it forked (uWSGI workers, Erlang helpers) and nothing else.
# A group is signalled only while its leader still has the recorded start time (or has died
# leaving children behind, whose group id Linux does not reuse); a recycled PID is never hit.
# Services get SIGTERM first, infrastructure (RabbitMQ, memcached, MariaDB) after them;
# SIGKILL for whatever still runs 20 s later.
#
#   stop.sh           stop; keep the state (databases, logs) under $RUN
#   stop.sh --wipe    stop, then delete $RUN and clouds.yaml (the schema snapshot stays)
#   stop.sh --check   exit 0 when every recorded process still runs, 1 otherwise; stop nothing
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PIDS=$RUN/pids
INFRA=(rabbitmq epmd memcached mariadb)

starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
ours() { # ours PIDFILE: print the group id if that group is still ours and alive
    local pid st now
    read -r pid st <"$1" 2>/dev/null || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    now=$(starttime "$pid")
    if [[ -n "$now" ]]; then
        [[ "$now" == "$st" ]] || return 1          # PID recycled by an unrelated process
    fi
    kill -0 -- "-$pid" 2>/dev/null || return 1     # nothing left in the group
    echo "$pid"
}

if [[ "${1:-}" == --check ]]; then
    shopt -s nullglob
    files=("$PIDS"/*.pid)
    [[ ${#files[@]} -gt 0 ]] || exit 1
    for f in "${files[@]}"; do
        read -r pid st <"$f" && [[ "$(starttime "$pid")" == "$st" ]] || exit 1
    done
    exit 0
fi

stop_groups() { # stop_groups NAME...: SIGTERM the named groups, wait, SIGKILL the rest
    local name groups=() g i alive
    for name in "$@"; do
        [[ -f "$PIDS/$name.pid" ]] || continue
        g=$(ours "$PIDS/$name.pid") && groups+=("$g")
    done
    [[ ${#groups[@]} -gt 0 ]] || return 0
    for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null; done
    for i in $(seq 1 80); do
        alive=()
        for g in "${groups[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive+=("$g"); done
        [[ ${#alive[@]} -eq 0 ]] && break
        sleep 0.25
    done
    if [[ ${#alive[@]} -gt 0 ]]; then
        log "SIGKILL process groups ${alive[*]}"
        for g in "${alive[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
    fi
    echo "${#groups[@]}"
}

services=()
shopt -s nullglob
for f in "$PIDS"/*.pid; do
    n=$(basename "$f" .pid)
    [[ " ${INFRA[*]} " == *" $n "* ]] || services+=("$n")
done
n_services=$(stop_groups "${services[@]}")
n_infra=$(stop_groups "${INFRA[@]}")
rm -f "$PIDS"/*.pid "$RUN/ready"
log "stopped ${n_services:-0} service and ${n_infra:-0} infrastructure process groups"
if [[ "${1:-}" == --wipe ]]; then
    rm -rf "$RUN" "$STATE/clouds.yaml"
    log "wiped $RUN"
fi
exit 0
