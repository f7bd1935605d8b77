#!/bin/sh
# medallion 3.0.0, the OASIS reference TAXII 2.1 server bench.taxii measures
# against, in a virtual environment of its own (never the project's):
# .bench/medallion-venv by default. Idempotent. Prints the venv's python.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${MEDALLION_VENV:-$ROOT/.bench/medallion-venv}
PYTHON=${PYTHON:-python3}
STAMP="$VENV/.installed-medallion-3.0.0"
if [ ! -f "$STAMP" ]; then
    mkdir -p "$(dirname "$VENV")"
    LOG="$(dirname "$VENV")/medallion-install.log"
    echo "bench/peers/medallion.sh: installing medallion 3.0.0 into $VENV (log: $LOG)" >&2
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        medallion==3.0.0 >"$LOG" 2>&1; then
        grep -v '^WARNING: Location' "$LOG" | tail -20 >&2
        exit 1
    fi
    touch "$STAMP"
fi
echo "$VENV/bin/python"
