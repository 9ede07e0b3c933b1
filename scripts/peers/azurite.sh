#!/usr/bin/env bash
# Start or stop Azurite's blob service (Azure Blob Storage emulator) on loopback.
#
#   scripts/peers/azurite.sh start [PORT]   start it (a free port when none is given), wait until it
#                                           answers, print its blob endpoint
#                                           (http://127.0.0.1:PORT/devstoreaccount1)
#   scripts/peers/azurite.sh stop           stop the server started by `start` (by its PID); no-op if none
#   scripts/peers/azurite.sh url            print the blob endpoint of the running server
#   scripts/peers/azurite.sh status         exit 0 when it runs, 1 otherwise
#
# Azurite (npm `azurite`, 3.x) is installed on first use into .peers/azurite/ (a project-local
# npm prefix, never global); it needs Node 20+ and npm. State lives in .peers/ at the
# repository root: azurite.pid, azurite.port, azurite.log, and the blob data in
# azurite-data/ (wiped at each start). Connect with the well-known development account:
#   DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=<Azurite's published
#   key>;BlobEndpoint=http://127.0.0.1:PORT/devstoreaccount1;
# (cloudneutral_azure.testing.azurite.connection_string builds it). --skipApiVersionCheck is
# needed: azure-storage-blob sends API versions newer than Azurite knows.
# Environment: AZURITE_VERSION (npm version spec, default 3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/.peers"
PREFIX="$STATE/azurite"
BIN="$PREFIX/node_modules/.bin/azurite-blob"
DATA="$STATE/azurite-data"
PID_FILE="$STATE/azurite.pid"
PORT_FILE="$STATE/azurite.port"
LOG_FILE="$STATE/azurite.log"

endpoint() { echo "http://127.0.0.1:$1/devstoreaccount1"; }

running() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    # The PID must still be our Azurite, not a recycled PID.
    [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "azurite-blob"
}

install() {
    [[ -x "$BIN" ]] && return 0
    command -v npm >/dev/null || { echo "azurite.sh: npm not found (Azurite needs Node 20+ and npm)" >&2; exit 2; }
    echo "azurite.sh: installing azurite@${AZURITE_VERSION:-3} into $PREFIX" >&2
    mkdir -p "$PREFIX"
    npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "azurite@${AZURITE_VERSION:-3}" >&2
    [[ -x "$BIN" ]] || { echo "azurite.sh: npm install did not provide $BIN" >&2; exit 1; }
}

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

answers() {
    # Any HTTP status means the server is up (an anonymous request gets 4xx).
    node -e '
      const r=require("http").get(process.argv[1],res=>{process.exit(0)});
      r.on("error",()=>process.exit(1)); r.setTimeout(1000,()=>{r.destroy();process.exit(1)});' \
      "$(endpoint "$1")?comp=list"
}

start() {
    if running; then
        echo "azurite already running (pid $(cat "$PID_FILE"))" >&2
        endpoint "$(cat "$PORT_FILE")"
        return 0
    fi
    install
    local port pid
    port="${1:-$(free_port)}"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    nohup "$BIN" --blobHost 127.0.0.1 --blobPort "$port" --location "$DATA" \
        --skipApiVersionCheck --disableTelemetry >"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 300); do
        if answers "$port" 2>/dev/null; then
            endpoint "$port"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "azurite.sh: azurite exited; see $LOG_FILE" >&2
            rm -f "$PID_FILE" "$PORT_FILE"
            exit 1
        fi
        sleep 0.1
    done
    echo "azurite.sh: azurite did not answer on port $port within 30 s; see $LOG_FILE" >&2
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
    url) running && endpoint "$(cat "$PORT_FILE")" || { echo "azurite is not running" >&2; exit 1; } ;;
    status) running ;;
    *) echo "usage: $0 start [PORT] | stop | url | status" >&2; exit 2 ;;
esac
