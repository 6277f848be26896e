#!/usr/bin/env bash
# Installs the Debian packages the kiosk, the server and their tests use, when any is missing.
#   chromium            browser tests (Playwright drives Debian's build)
#   espeak-ng           read-aloud in fi, sv, en
#   postgresql          the suite runs every storage test on PostgreSQL too
#   libreoffice-calc-nogui  the CSV export round-trip test
#   fonts-dejavu-core   a font with å ä ö for the server's charts
#   caddy, nginx-light  the deployment tests validate the example reverse-proxy configs
#   libpango-1.0-0 libpangoft2-1.0-0  WeasyPrint (the server's PDF reports)
#   libusb-1.0-0        python-escpos (the kiosk's receipt printer over USB)
#   poppler-utils       pdftotext/pdffonts/pdftoppm check the printable PDFs in tests
#   xvfb libx11-6 libxtst6  the kiosk on SDL's x11 driver (a kiosk's path through Xwayland):
#                       the resting-loop test and benchmark press a real X pointer (XTEST)
set -euo pipefail
packages=(chromium espeak-ng postgresql libreoffice-calc-nogui fonts-dejavu-core caddy nginx-light
  libpango-1.0-0 libpangoft2-1.0-0 libusb-1.0-0 poppler-utils xvfb libx11-6 libxtst6)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Packages such as postgresql, caddy and nginx start a service when installed; we only want
# their binaries (the tests start what they need on loopback), so service starts are refused
# during the install unless the machine already has its own policy.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  own_policy=1
fi
trap '[ "$own_policy" -eq 1 ] && $sudo rm -f "$policy"' EXIT
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
