#!/bin/sh
# Turn a fresh Debian 12 or Raspberry Pi OS (Bookworm, Lite) machine into a Käyttäjätori kiosk:
# packages, the "kiosk" user, the app in /opt/kayttajatori/venv, the systemd units, no console
# blanking. Run as root from a checkout of the project:   sudo deploy/kiosk/install-kiosk.sh
# Then enrol it (`sudo kiosk setup ...`, see docs/deploy-kiosk.md) and reboot.
# Safe to run again (an upgrade runs exactly this). KT_SKIP_APT=1 / KT_SKIP_PIP=1 skip those
# steps (for trying the rest in a chroot).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
prefix=/opt/kayttajatori
user=kiosk

if [ "$(id -u)" -ne 0 ]; then
	echo "install-kiosk.sh: run me as root (sudo)" >&2
	exit 2
fi

if [ "${KT_SKIP_APT:-0}" != 1 ]; then
	apt-get update
	# cage + Xwayland: the kiosk compositor; the rest is what Kivy's wheels and espeak need.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		cage xwayland python3 python3-venv libgl1 libegl1 libgles2 libmtdev1 \
		libsdl2-2.0-0 libusb-1.0-0 espeak-ng fonts-dejavu-core ca-certificates
fi

if ! id "$user" >/dev/null 2>&1; then
	useradd --system --create-home --home-dir /home/$user --shell /usr/sbin/nologin \
		--comment "Kayttajatori kiosk" "$user"
fi
for group in video render input audio; do
	if getent group "$group" >/dev/null; then usermod -a -G "$group" "$user"; fi
done

if [ "${KT_SKIP_PIP:-0}" != 1 ]; then
	# Only this side's lock, hash-checked, in a venv that holds nothing else (deploy/install-venv.sh).
	. "$checkout/deploy/install-venv.sh"
	install_venv "$prefix" kiosk "$checkout"
	ln -sf "$prefix/venv/bin/kiosk" /usr/local/bin/kiosk
fi

install -d -m 0755 /etc/kayttajatori
install -d -m 0700 -o "$user" -g "$user" /var/lib/kayttajatori
install -m 0644 "$here/kayttajatori-kiosk.service" "$here/kayttajatori-kiosk-recover.service" \
	"$here/kayttajatori-kiosk-recover.timer" /etc/systemd/system/
install -m 0644 "$here/pam.d/kayttajatori-kiosk" /etc/pam.d/kayttajatori-kiosk
install -d -m 0755 /etc/systemd/journald.conf.d
install -m 0644 "$here/journald.conf.d/kayttajatori.conf" /etc/systemd/journald.conf.d/
[ -e /etc/kayttajatori/kiosk.env ] || install -m 0644 "$here/kiosk.env.example" /etc/kayttajatori/kiosk.env

# No console blanking before cage takes the screen (cage itself never blanks it).
if [ -f /boot/firmware/cmdline.txt ]; then
	grep -q 'consoleblank=0' /boot/firmware/cmdline.txt ||
		sed -i '1 s/$/ consoleblank=0/' /boot/firmware/cmdline.txt
elif [ -d /etc/default/grub.d ] || [ -f /etc/default/grub ]; then
	install -d /etc/default/grub.d
	printf '%s\n' 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT consoleblank=0"' \
		>/etc/default/grub.d/kayttajatori.cfg
	if command -v update-grub >/dev/null; then update-grub; fi
fi

# tty1 belongs to the kiosk; staff log in over SSH (or on tty2 before the kiosk starts).
systemctl disable getty@tty1.service 2>/dev/null || true
systemctl enable kayttajatori-kiosk.service
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	systemctl enable --now kayttajatori-kiosk-recover.timer # now: not only after a reboot
else
	systemctl enable kayttajatori-kiosk-recover.timer
fi

echo "Installed. Next: sudo kiosk setup --server https://YOUR-SERVER --code CODE --owner $user"
echo "then: sudo reboot   (the kiosk starts on tty1; logs: journalctl -u kayttajatori-kiosk)"
