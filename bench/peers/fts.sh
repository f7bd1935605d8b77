#!/bin/sh
# FreeTAKServer 2.2.1, the peer bench.cop measures against, in a virtual
# environment of its own (never the project's): .bench/fts-venv by default.
# Idempotent: does nothing once installed. Prints the venv's python.
#
# FreeTAKServer 2.2.1 pins protobuf==3.18.3 and does not start without
# opentelemetry-sdk and opentelemetry-api 1.24.0, so those are pinned here.
# It binds ports on all interfaces and writes under /opt; bench/_cop_fts.py
# runs it inside its own network, mount and PID namespaces.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${FTS_VENV:-$ROOT/.bench/fts-venv}
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.installed-fts-2.2.1"
if [ ! -f "$STAMP" ]; then
    mkdir -p "$(dirname "$VENV")"
    LOG="$(dirname "$VENV")/fts-install.log"
    echo "bench/peers/fts.sh: installing FreeTAKServer 2.2.1 into $VENV (log: $LOG)" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        FreeTAKServer==2.2.1 protobuf==3.18.3 \
        opentelemetry-sdk==1.24.0 opentelemetry-api==1.24.0 >"$LOG" 2>&1; then
        grep -v '^WARNING: Location' "$LOG" | tail -20 >&2
        exit 1
    fi
    touch "$STAMP"
fi
echo "$VENV/bin/python"
