#!/usr/bin/env bash
# The docs browser test (tests/test_docs_browser.py) needs headless Chromium. Installs
# Debian's package when it is missing and we may (root with apt-get, as on CI); otherwise
# says what to install. `make test` runs this first; `make check` does not need it.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the docs browser test..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "make test needs Chromium on PATH for the docs browser test:" >&2
echo "  sudo apt-get install chromium   (Debian/Ubuntu), or your system's package" >&2
exit 1
