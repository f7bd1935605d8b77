#!/bin/sh
# Install the system packages the tests need, from Debian's archive, if missing:
# the PostgreSQL server (a throwaway instance is started by the tests), and
# Chromium with Japanese fonts for the console's browser tests (Playwright
# drives /usr/bin/chromium; it never downloads a browser).
#
# Japanese fonts: Noto Sans CJK (the console and the AAR timeline plot) and
# IPAex Gothic, a TrueType-outline font the AAR PDF embeds so that its text
# extracts cleanly (see src/alliance/exercise/aar/fonts.py).
#
# `system-deps.sh fonts` installs the fonts only (what `make demo` needs to
# render an after-action report).
set -eu
need=""
if [ "${1:-all}" != "fonts" ]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
    [ -x /usr/bin/chromium ] || need="$need chromium"
fi
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need="$need fonts-noto-cjk"
[ -e /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || need="$need fonts-ipaexfont-gothic"
if [ -n "$need" ]; then
    echo "system-deps: installing$need"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
fi
