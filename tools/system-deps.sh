#!/bin/sh
# Install the system packages the tests need, from Debian's archive, if missing:
# the PostgreSQL server (a throwaway instance is started by the tests), and
# Chromium with Japanese fonts for the console's browser tests (Playwright
# drives /usr/bin/chromium; it never downloads a browser).
set -eu
need=""
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
[ -x /usr/bin/chromium ] || need="$need chromium"
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need="$need fonts-noto-cjk"
if [ -n "$need" ]; then
    echo "system-deps: installing$need"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
