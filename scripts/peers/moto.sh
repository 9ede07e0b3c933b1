#!/usr/bin/env bash
# Start or stop a moto server (AWS S3/EC2/EBS emulator) on loopback for the AWS adapter.
#
#   scripts/peers/moto.sh start [PORT]   start it (a free port when none is given), wait until it
#                                        answers, print its endpoint URL (http://127.0.0.1:PORT)
#   scripts/peers/moto.sh stop           stop the server started by `start` (by its PID); no-op if none
#   scripts/peers/moto.sh url            print the endpoint URL of the running server
#   scripts/peers/moto.sh status         exit 0 when it runs, 1 otherwise
#
# State lives in .peers/ at the repository root: moto.pid, moto.port, moto.log.
# Environment: PYTHON (an interpreter with moto[server]; default $VIRTUAL_ENV/bin/python, else
# python3), S3_UPLOAD_PART_MIN_SIZE (default 65536 rather than S3's 5 MiB, so multipart
# cassettes stay small; connect with aws://...?min_part_size=65536), MOTO_AMIS_PATH (default:
# the adapter's small AMI catalogue, so image and snapshot listings stay small).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.peers"
PID_FILE="$STATE/moto.pid"
PORT_FILE="$STATE/moto.port"
LOG_FILE="$STATE/moto.log"
AMIS="$ROOT/providers/aws/cloudneutral_aws/moto_amis.json"

python_bin() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"
    elif [[ -n "${VIRTUAL_ENV:-}" && -x "$VIRTUAL_ENV/bin/python" ]]; then echo "$VIRTUAL_ENV/bin/python"
    else command -v python3
    fi
}

running() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    # The PID must still be our moto server, not a recycled PID.
    [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "moto.server"
}

start() {
    if running; then
        echo "moto already running (pid $(cat "$PID_FILE"))" >&2
        echo "http://127.0.0.1:$(cat "$PORT_FILE")"
        return 0
    fi
    local py port pid
    py="$(python_bin)"
    "$py" -c "import moto.server" 2>/dev/null || {
        echo "moto.sh: $py cannot import moto.server; pip install 'moto[server]' or set PYTHON" >&2
        exit 2
    }
    port="${1:-$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    mkdir -p "$STATE"
    S3_UPLOAD_PART_MIN_SIZE="${S3_UPLOAD_PART_MIN_SIZE:-65536}" \
    MOTO_AMIS_PATH="${MOTO_AMIS_PATH:-$AMIS}" \
        nohup "$py" -m moto.server -H 127.0.0.1 -p "$port" >"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 100); do
        if "$py" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
            echo "http://127.0.0.1:$port"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "moto.sh: moto server exited; see $LOG_FILE" >&2
            rm -f "$PID_FILE" "$PORT_FILE"
            exit 1
        fi
        sleep 0.1
    done
    echo "moto.sh: moto server did not answer on port $port within 10 s; see $LOG_FILE" >&2
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
    url) running && echo "http://127.0.0.1:$(cat "$PORT_FILE")" || { echo "moto is not running" >&2; exit 1; } ;;
    status) running ;;
    *) echo "usage: $0 start [PORT] | stop | url | status" >&2; exit 2 ;;
esac
