#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests exists (Debian's package; Playwright's own browser
# download cannot work here). Prints its path.
set -euo pipefail
for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$c" ] && [ -x "$c" ]; then
    echo "$c"
    exit 0
  fi
done
echo "installing Chromium from Debian's packages" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium >&2
echo /usr/bin/chromium
