#!/usr/bin/env bash
# Installs the Debian packages the kiosk, the server and their tests use, when any is missing.
#   chromium            browser tests (Playwright drives Debian's build)
#   espeak-ng           read-aloud in fi, sv, en
#   postgresql          the suite runs every storage test on PostgreSQL too
#   libreoffice-calc-nogui  the CSV export round-trip test
#   fonts-dejavu-core   a font with å ä ö for the server's charts
set -euo pipefail
packages=(chromium espeak-ng postgresql libreoffice-calc-nogui fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
