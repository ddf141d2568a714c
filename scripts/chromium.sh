#!/usr/bin/env bash
# Prints the path of a Chromium for the browser tests: PAYOUTS_TEST_CHROMIUM when given, otherwise
# Debian's chromium (installed as root if missing). Playwright cannot download its own browsers here.
set -euo pipefail

if [ -n "${PAYOUTS_TEST_CHROMIUM:-}" ]; then
  echo "$PAYOUTS_TEST_CHROMIUM"
  exit 0
fi

. "$(dirname "$0")/debian-package.sh"
install_debian_package chromium chromium PAYOUTS_TEST_CHROMIUM
command -v chromium
