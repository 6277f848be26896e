#!/usr/bin/env bash
# A trial of docs/deploy-server.md as an administrator would follow it, in a fresh Debian 12
# root booted with systemd as PID 1 (debootstrap + systemd-nspawn). Not part of `make test`
# (it needs root and takes a few minutes); run it before a release or after changing deploy/:
#
#   sudo scripts/trial-server-install.sh
#
# It installs the server from this checkout's tracked files (uncommitted edits included), then
# checks what the guide promises, printing PASS/FAIL per step, and exits 1 on any FAIL:
#   - the installer installs only the server lock (replacing a 0.1.0 venv), and does not start a server whose settings
#     still hold the template; it starts the server and the backup timer (enable --now) once
#     they are filled in, after a one-line refusal of a wrong database password;
#   - a '$' in the PostgreSQL password works for the service and for kiosk-server-admin;
#   - HEAD /healthz, the version, an enrolled kiosk, a backup (mode 0600), a clear refusal to
#     restore a file the service user cannot read, an access log without a follow-up token;
#   - nginx's first-certificate sequence: the bootstrap site passes `nginx -t` where the full
#     site cannot yet, and serves the ACME webroot;
#   - everything is still running after the container is shut down and booted again.
#
# The container shares the host's network (for apt and pip), so the server, PostgreSQL and
# nginx listen on free ports picked here instead of 8765, 5432 and 80 (systemd drop-ins and
# config edits the guide does not need). Extra CA certificates of the host
# (/usr/local/share/ca-certificates, e.g. a proxy's) are copied in. Environment:
#   KT_TRIAL_DIR     work folder (default /var/tmp/kt-trial; the debootstrapped base is kept
#                    there and reused, the booted root is made anew each run)
#   KT_TRIAL_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   KT_TRIAL_KEEP=1  leave the container running at the end (stop it with the printed command)
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
work=${KT_TRIAL_DIR:-/var/tmp/kt-trial}
mirror=${KT_TRIAL_MIRROR:-http://deb.debian.org/debian}
base=$work/base
root=$work/root
log=$work/trial.log
failures=0

say() { printf '%s\n' "$*" | tee -a "$log"; }
pass() { say "PASS: $*"; }
fail() {
	say "FAIL: $*"
	failures=$((failures + 1))
}
check() { # check "what" command...: PASS when the command succeeds
	local what=$1
	shift
	if "$@" >>"$log" 2>&1; then pass "$what"; else fail "$what"; fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "trial-server-install.sh: run me as root (sudo)" >&2
	exit 2
fi
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
if [ ${#missing[@]} -gt 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mkdir -p "$work"
: >"$log"
if [ ! -x "$base/usr/bin/systemctl" ]; then
	say "debootstrap bookworm into $base (once; reused by later runs)"
	rm -rf "$base"
	debootstrap --variant=minbase \
		--include=systemd,systemd-sysv,dbus,sudo,ca-certificates,python3,python3-venv,curl,iproute2,procps,less \
		bookworm "$base" "$mirror" >>"$log" 2>&1
fi
rm -rf "$root"
cp -a "$base" "$root"
echo "kt-trial" >"$root/etc/hostname"
printf 'deb %s bookworm main\n' "$mirror" >"$root/etc/apt/sources.list"
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" update-ca-certificates >>"$log" 2>&1
fi
# "git clone": the tracked files of this checkout, as they are now.
mkdir -p "$root/root/kayttajatori"
git -C "$checkout" ls-files -z | (cd "$checkout" && tar --null -T - -cf -) |
	tar -xf - -C "$root/root/kayttajatori"

nspawn_pid=""
leader=""
boot() {
	systemd-nspawn -D "$root" --boot --register=no --keep-unit --console=passive --machine=kt-trial \
		>>"$work/console.log" 2>&1 &
	nspawn_pid=$!
	leader=""
	for _ in $(seq 1 100); do
		leader=$(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null | head -1 | tr -d ' ')
		if [ -n "$leader" ] && in_ct systemctl is-system-running --wait >/dev/null 2>&1; then
			return 0
		fi
		# "degraded" (a unit the container cannot run, e.g. a console getty) is fine too
		if [ -n "$leader" ] && [ "$(in_ct systemctl is-system-running 2>/dev/null)" = degraded ]; then
			return 0
		fi
		sleep 1
	done
	return 1
}
in_ct() {
	nsenter -t "$leader" -a -- /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
shutdown_ct() {
	[ -n "$nspawn_pid" ] || return 0
	in_ct systemctl poweroff >/dev/null 2>&1 || true
	for _ in $(seq 1 60); do
		kill -0 "$nspawn_pid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$nspawn_pid" 2>/dev/null; then kill "$nspawn_pid"; fi
	wait "$nspawn_pid" 2>/dev/null || true
	nspawn_pid=""
}
trap 'if [ "${KT_TRIAL_KEEP:-0}" != 1 ]; then shutdown_ct; fi' EXIT

say "== boot Debian 12 with systemd as PID 1"
boot || {
	fail "the container booted"
	exit 1
}
pass "the container booted (systemd $(in_ct systemctl --version | head -1 | cut -d' ' -f2))"

server_port=$(free_port)
pg_port=$(free_port)
http_port=$(free_port)
say "ports: server $server_port, PostgreSQL $pg_port, nginx $http_port"
# The one change the guide does not ask for: the port (8765 may be taken on the host).
mkdir -p "$root/etc/systemd/system/kiosk-server.service.d"
printf '[Service]\nExecStart=\nExecStart=/opt/kayttajatori/venv/bin/kiosk-server serve --host 127.0.0.1 --port %s --workers 4\n' \
	"$server_port" >"$root/etc/systemd/system/kiosk-server.service.d/trial-port.conf"

# An install from before 0.2.0 left a venv folder with every package of both sides.
mkdir -p "$root/opt/kayttajatori/venv/lib"
touch "$root/opt/kayttajatori/venv/lib/kivy-from-0.1.0"

say "== 1. install (the template settings untouched)"
started=$(date +%s)
if in_ct sh -c 'cd /root/kayttajatori && deploy/server/install-server.sh' >"$work/install-1.log" 2>&1; then
	pass "install-server.sh succeeded in $(($(date +%s) - started)) s"
else
	fail "install-server.sh (see $work/install-1.log)"
	tail -20 "$work/install-1.log" | tee -a "$log"
fi
check "it asks for the settings instead of starting" grep -q "fill in /etc/kiosk-server/kiosk-server.env" "$work/install-1.log"
check "the server is not enabled before its settings are filled in" \
	test "$(in_ct systemctl is-enabled kiosk-server.service 2>/dev/null || true)" = disabled
check "the server is not running (no crash loop)" \
	test "$(in_ct systemctl is-active kiosk-server.service 2>/dev/null || true)" = inactive
venv_mb=$(du -sm "$root/opt/kayttajatori/venv/" | cut -f1)
check "the venv is a link to a venv built from the lock" test -L "$root/opt/kayttajatori/venv"
check "the venv of 0.1.0 is set aside, not reused" test -e "$root/opt/kayttajatori/venv-before-0.2/lib/kivy-from-0.1.0"
say "venv: ${venv_mb} MB"
check "the venv has no Kivy, playwright, pytest or mypy" in_ct /opt/kayttajatori/venv/bin/python -c \
	'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in ("kivy", "playwright", "pytest", "mypy")))'
check "pip is the pinned one" sh -c "grep -q \"^pip==\$(chroot '$root' /opt/kayttajatori/venv/bin/pip --version | cut -d' ' -f2) \" '$checkout/requirements/build-tools.lock'"
version=$(in_ct /opt/kayttajatori/venv/bin/kiosk-server --version | cut -d' ' -f2)
check "kiosk-server --version says $version" test -n "$version"

say "== 2. PostgreSQL with a '\$' in the password"
in_ct sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql' >>"$log" 2>&1
in_ct sh -c "sed -i 's/^port = .*/port = $pg_port/' /etc/postgresql/15/main/postgresql.conf && systemctl restart postgresql@15-main" >>"$log" 2>&1
password='Tr1al$ecret-$HOME'
in_ct runuser -u postgres -- psql -p "$pg_port" -qc "CREATE ROLE kiosk_server LOGIN PASSWORD '$password'" >>"$log" 2>&1
in_ct runuser -u postgres -- createdb -p "$pg_port" --owner kiosk_server --encoding UTF8 kiosk_server >>"$log" 2>&1
check "PostgreSQL answers with the new role" in_ct env PGPASSWORD="$password" psql -h 127.0.0.1 -p "$pg_port" -U kiosk_server -c "select 1" kiosk_server

say "== 3. settings: first a wrong password"
env_file=$root/etc/kiosk-server/kiosk-server.env
sed -i "s|^KT_PUBLIC_BASE_URL=.*|KT_PUBLIC_BASE_URL=https://trial.example.org|" "$env_file"
sed -i "s|^KT_DATABASE_URL=.*|KT_DATABASE_URL=postgresql+psycopg://kiosk_server:wrong@127.0.0.1:$pg_port/kiosk_server|" "$env_file"
if in_ct sh -c 'cd /root/kayttajatori && deploy/server/install-server.sh' >"$work/install-2.log" 2>&1; then
	fail "the installer refuses a database it cannot reach"
else
	pass "the installer refuses a database it cannot reach"
fi
check "... in one line naming KT_DATABASE_URL" grep -q "KT_DATABASE_URL.*password authentication failed" "$work/install-2.log"
lines=$(grep -c "" "$work/install-2.log")
check "... without a traceback ($lines lines of output)" sh -c "! grep -q Traceback '$work/install-2.log'"
check "the server is still not enabled" \
	test "$(in_ct systemctl is-enabled kiosk-server.service 2>/dev/null || true)" = disabled

say "== 3b. the right password ('\$' and all), written as systemd reads it"
sed -i "s|^KT_DATABASE_URL=.*|KT_DATABASE_URL=postgresql+psycopg://kiosk_server:$password@127.0.0.1:$pg_port/kiosk_server|" "$env_file"
if in_ct sh -c 'cd /root/kayttajatori && deploy/server/install-server.sh' >"$work/install-3.log" 2>&1; then
	pass "install-server.sh with filled-in settings"
else
	fail "install-server.sh with filled-in settings (see $work/install-3.log)"
	tail -5 "$work/install-3.log" | tee -a "$log"
fi
check "the same lock reuses its venv; the old one is gone after the next install" \
	sh -c "[ \"\$(ls -d '$root'/opt/kayttajatori/venv-* | wc -l)\" = 1 ]"
check "the server is enabled and running" sh -c "[ \"\$(nsenter -t $leader -a systemctl is-active kiosk-server.service)\" = active ]"
check "the backup timer is active now, not only after a reboot" \
	sh -c "[ \"\$(nsenter -t $leader -a systemctl is-active kiosk-server-backup.timer)\" = active ]"
health_ok() { in_ct curl -sf "http://127.0.0.1:$server_port/healthz" >/dev/null; }
for _ in $(seq 1 60); do health_ok && break || sleep 1; done
check "HEAD /healthz answers 200 (curl -I)" sh -c "nsenter -t $leader -a curl -sI http://127.0.0.1:$server_port/healthz | head -1 | grep -q ' 200'"
check "/healthz names PostgreSQL and version $version" sh -c "nsenter -t $leader -a curl -s http://127.0.0.1:$server_port/healthz | grep -q '\"database\":\"postgresql\",\"version\":\"$version\"'"

say "== 4. kiosk-server-admin (reads the same settings as the service)"
check "add-staff through kiosk-server-admin" in_ct sh -c 'echo "trial-password-123" | kiosk-server-admin add-staff trial --password-stdin'
check "enroll-kiosk through kiosk-server-admin" in_ct kiosk-server-admin enroll-kiosk "Trial kiosk" --site "Library"

say "== 5. access log"
in_ct curl -s -o /dev/null "http://127.0.0.1:$server_port/f/TrialToken1234567890" || true
sleep 1
in_ct journalctl -u kiosk-server --no-pager -o cat >"$work/journal.log" 2>&1 || true
check "the journal logged the page request redacted" grep -q 'GET /f/\[redacted\]' "$work/journal.log"
check "the journal does not carry the token" sh -c "! grep -q TrialToken1234567890 '$work/journal.log'"

say "== 6. backup and restore"
check "the backup service runs" in_ct systemctl start kiosk-server-backup.service
newest=$(in_ct sh -c 'ls -t /var/lib/kiosk-server-backups/*.pgdump 2>/dev/null | head -1')
check "it wrote a pg_dump, mode 0600" sh -c "[ -n '$newest' ] && [ \"\$(stat -c %a '$root$newest')\" = 600 ]"
cp "$root$newest" "$root/root/copied-backup.pgdump"
chmod 0600 "$root/root/copied-backup.pgdump"
in_ct kiosk-server-admin restore /root/copied-backup.pgdump >"$work/restore.log" 2>&1 || true
cat "$work/restore.log" >>"$log"
check "restoring a file the service user cannot read says so in one line" \
	sh -c "grep -qi 'permission denied\|cannot be read by the user' '$work/restore.log' && [ \"\$(grep -c '' '$work/restore.log')\" = 1 ]"

say "== 7. nginx: the first certificate"
in_ct sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light' >>"$log" 2>&1 || true
in_ct sh -c "sed -i 's/listen 80 default_server;/listen $http_port default_server;/; s/listen \[::\]:80 default_server;/listen [::]:$http_port default_server;/' /etc/nginx/sites-available/default"
site=$root/etc/nginx/sites-available/kiosk-server
sed -e "s/listen 80;/listen $http_port;/" -e "s/listen \[::\]:80;/listen [::]:$http_port;/" \
	-e "s/palaute.example.fi/trial.example.org/g" "$checkout/deploy/server/nginx.conf" >"$site"
ln -sf ../sites-available/kiosk-server "$root/etc/nginx/sites-enabled/kiosk-server"
check "the full site fails nginx -t before a certificate exists (why the bootstrap is needed)" \
	sh -c "! nsenter -t $leader -a nginx -t"
sed -e "s/listen 80;/listen $http_port;/" -e "s/listen \[::\]:80;/listen [::]:$http_port;/" \
	-e "s/palaute.example.fi/trial.example.org/g" "$checkout/deploy/server/nginx-bootstrap.conf" >"$site"
mkdir -p "$root/var/www/letsencrypt/.well-known/acme-challenge"
echo trial-challenge >"$root/var/www/letsencrypt/.well-known/acme-challenge/probe"
check "the bootstrap site passes nginx -t" in_ct nginx -t
check "nginx reloads with it" in_ct systemctl reload-or-restart nginx
check "it serves the ACME webroot certbot --webroot writes to" sh -c "nsenter -t $leader -a curl -s -H 'Host: trial.example.org' http://127.0.0.1:$http_port/.well-known/acme-challenge/probe | grep -q trial-challenge"
in_ct curl -s -o /dev/null -H 'Host: trial.example.org' "http://127.0.0.1:$http_port/f/NginxToken987654" || true
check "nginx's access log has the path redacted" grep -q 'GET /f/\[redacted\]' "$root/var/log/nginx/kiosk-server.access.log"
check "... and no token" sh -c "! grep -q NginxToken987654 '$root/var/log/nginx/kiosk-server.access.log'"
in_ct systemctl disable --now nginx >>"$log" 2>&1 || true

say "== 8. shut down and boot again"
shutdown_ct
boot || fail "the container booted again"
for _ in $(seq 1 60); do health_ok && break || sleep 1; done
check "after the reboot the server answers" health_ok
check "after the reboot the backup timer is active" \
	sh -c "[ \"\$(nsenter -t $leader -a systemctl is-active kiosk-server-backup.timer)\" = active ]"

say ""
if [ "$failures" -eq 0 ]; then
	say "All steps passed. Log: $log"
else
	say "$failures step(s) failed. Log: $log"
fi
if [ "${KT_TRIAL_KEEP:-0}" = 1 ]; then
	say "The container is still running: nsenter -t $leader -a bash; stop: kill $nspawn_pid"
fi
[ "$failures" -eq 0 ]
