#!/usr/bin/env bash
# Start or stop the ARM test peer (a small stateful Azure Resource Manager endpoint) on loopback.
#
#   scripts/peers/arm.sh start [PORT]   start it (a free port when none is given), wait until it
#                                       answers, print its endpoint URL (http://127.0.0.1:PORT)
#   scripts/peers/arm.sh stop           stop the server started by `start` (by its PID); no-op if none
#   scripts/peers/arm.sh url            print the endpoint URL of the running server
#   scripts/peers/arm.sh status         exit 0 when it runs, 1 otherwise
#
# The peer is cloudneutral_azure.testing.arm_peer (stdlib only; any api-version and any bearer
# token accepted; plain http). SDK clients need base_url=<endpoint>, polling_interval=0 and an
# authentication policy allowing http: cloudneutral_azure.testing.clients.peer_client.
# State lives in .peers/ at the repository root (or $CN_PEERS_DIR): arm.pid, arm.port, arm.log.
# Environment: PYTHON (an interpreter with providers/azure installed; default
# $VIRTUAL_ENV/bin/python, else .venv/bin/python, else python3), ARM_PEER_POLLS (InProgress
# answers per long-running operation, default 1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${CN_PEERS_DIR:-$ROOT/.peers}"
PID_FILE="$STATE/arm.pid"
PORT_FILE="$STATE/arm.port"
LOG_FILE="$STATE/arm.log"

python_bin() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"
    elif [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then echo "$VIRTUAL_ENV/bin/python"
    elif [[ -x "$ROOT/.venv/bin/python" ]]; then echo "$ROOT/.venv/bin/python"
    else command -v python3
    fi
}

running() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    # The PID must still be our peer, not a recycled PID.
    [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "cloudneutral_azure.testing.arm_peer"
}

start() {
    if running; then
        echo "arm peer already running (pid $(cat "$PID_FILE"))" >&2
        echo "http://127.0.0.1:$(cat "$PORT_FILE")"
        return 0
    fi
    local py port pid
    py="$(python_bin)"
    "$py" -c "import cloudneutral_azure.testing.arm_peer" 2>/dev/null || {
        echo "arm.sh: $py cannot import cloudneutral_azure; pip install -e providers/azure or set PYTHON" >&2
        exit 2
    }
    port="${1:-$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    mkdir -p "$STATE"
    nohup "$py" -m cloudneutral_azure.testing.arm_peer --port "$port" --polls "${ARM_PEER_POLLS:-1}" \
        >"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 100); do
        # Any HTTP answer (401 without a token) means it is up.
        if "$py" -c "
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen('http://127.0.0.1:$port/subscriptions', timeout=1)
except urllib.error.HTTPError:
    sys.exit(0)
except OSError:
    sys.exit(1)" 2>/dev/null; then
            echo "http://127.0.0.1:$port"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "arm.sh: the peer exited; see $LOG_FILE" >&2
            rm -f "$PID_FILE" "$PORT_FILE"
            exit 1
        fi
        sleep 0.1
    done
    echo "arm.sh: the peer did not answer on port $port within 10 s; see $LOG_FILE" >&2
    stop
    exit 1
}

stop() {
    if ! running; then
        rm -f "$PID_FILE" "$PORT_FILE"
        return 0
    fi
    local pid
    pid="$(cat "$PID_FILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$PID_FILE" "$PORT_FILE"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) stop ;;
    url) running && echo "http://127.0.0.1:$(cat "$PORT_FILE")" || { echo "the arm peer is not running" >&2; exit 1; } ;;
    status) running ;;
    *) echo "usage: $0 start [PORT] | stop | url | status" >&2; exit 2 ;;
esac
