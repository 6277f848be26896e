#!/bin/sh
# Install the Käyttäjätori central server on Debian 12: the "kiosk-server" user, the app in
# /opt/kayttajatori/venv, the systemd units (server + nightly backup) and a settings file to
# fill in. Run as root from a checkout:   sudo deploy/server/install-server.sh
# PostgreSQL and the TLS proxy are set up by hand: docs/deploy-server.md. Safe to run again
# (an upgrade runs exactly this: it restarts the server onto the new version).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
prefix=/opt/kayttajatori
user=kiosk-server

if [ "$(id -u)" -ne 0 ]; then
	echo "install-server.sh: run me as root (sudo)" >&2
	exit 2
fi

if [ "${KT_SKIP_APT:-0}" != 1 ]; then
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		python3 python3-venv postgresql-client fonts-dejavu-core ca-certificates \
		libpango-1.0-0 libpangoft2-1.0-0
fi

id "$user" >/dev/null 2>&1 ||
	useradd --system --no-create-home --home-dir /var/lib/kiosk-server \
		--shell /usr/sbin/nologin --comment "Kayttajatori server" "$user"
install -d -m 0700 -o "$user" -g "$user" /var/lib/kiosk-server /var/lib/kiosk-server-backups

if [ "${KT_SKIP_PIP:-0}" != 1 ]; then
	# Only this side's lock, hash-checked, in a venv that holds nothing else (deploy/install-venv.sh).
	. "$checkout/deploy/install-venv.sh"
	install_venv "$prefix" server "$checkout"
fi
# Not kiosk-server itself on PATH: run as root it would leave root-owned files in the state folder.
install -m 0755 "$here/kiosk-server-admin" /usr/local/sbin/kiosk-server-admin

install -d -m 0755 /etc/kiosk-server
if [ ! -e /etc/kiosk-server/kiosk-server.env ]; then
	install -m 0600 "$here/kiosk-server.env.example" /etc/kiosk-server/kiosk-server.env
	echo "Fill in /etc/kiosk-server/kiosk-server.env before starting the server."
fi
install -m 0644 "$here/kiosk-server.service" "$here/kiosk-server-backup.service" \
	"$here/kiosk-server-backup.timer" "$here/kiosk-server-purge.service" \
	"$here/kiosk-server-purge.timer" /etc/systemd/system/
booted=0
if [ -d /run/systemd/system ]; then
	booted=1
	systemctl daemon-reload
fi

# The server and its nightly backup run only once the settings are filled in and the database
# answers; before that the service would only crash-loop on the template's password.
env_file=/etc/kiosk-server/kiosk-server.env
if grep -Eq '^[^#;]*(CHANGE-ME|palaute\.example\.fi)' "$env_file"; then
	echo "Installed. Next: fill in $env_file (KT_PUBLIC_BASE_URL, KT_DATABASE_URL),"
	echo "then run this script again: it checks the database and starts the server."
	exit 0
fi
if [ "${KT_SKIP_PIP:-0}" != 1 ] && ! /usr/local/sbin/kiosk-server-admin init; then
	echo "Not started: fix the setting named above in $env_file, then run this script again." >&2
	exit 1
fi
if [ "$booted" = 1 ]; then
	# enable --now: the timer runs from tonight, not only after the next reboot; the server
	# restarts onto the version just installed (it migrates the database first).
	systemctl enable --now kiosk-server-backup.timer kiosk-server-purge.timer
	systemctl enable kiosk-server.service
	systemctl restart kiosk-server.service
	echo "Installed and started. Check: curl -sI http://127.0.0.1:8765/healthz"
else
	systemctl enable kiosk-server.service kiosk-server-backup.timer kiosk-server-purge.timer
	echo "Installed; the server and its backup and purge timers start at the next boot."
fi
