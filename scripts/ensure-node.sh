#!/usr/bin/env bash
# Makes sure Node.js (>= 18) and npm exist; installs Debian's packages when they do not.
set -euo pipefail
major() { node -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if command -v node >/dev/null && command -v npm >/dev/null && [ "$(major)" -ge 18 ]; then
  exit 0
fi
echo "installing Node.js and npm from Debian's packages"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -q
$SUDO apt-get install -y -q nodejs npm
