# Sourced by deploy/kiosk/install-kiosk.sh and deploy/server/install-server.sh (POSIX sh).
#
# install_venv PREFIX SIDE CHECKOUT: make PREFIX/venv hold exactly requirements/SIDE.lock plus
# the app from CHECKOUT. The venv lives in PREFIX/venv-<key> (key: the lock's and Python's
# hash) behind the symlink PREFIX/venv, which the units and the admin helper use. When the lock
# or Python changed (an upgrade), a new venv is built beside the running one and the link is
# switched at the end, so packages an older release needed do not linger, a failed build
# leaves the old venv in use, and the previous venv stays until the next upgrade. Venvs are not relocatable (their scripts name their own path),
# hence a link instead of a rename. Pinned pip/setuptools/wheel come first, and every build
# (an sdist in the lock, the app itself) uses them: --no-build-isolation.
install_venv() {
	iv_prefix=$1
	iv_lock=$3/requirements/$2.lock
	iv_key=$( (python3 --version && cat "$3/requirements/build-tools.lock" "$iv_lock") |
		sha256sum | cut -c1-12)
	iv_venv=$iv_prefix/venv-$iv_key
	if [ ! -x "$iv_venv/bin/python" ] || [ ! -e "$iv_venv/.complete" ]; then
		rm -rf "$iv_venv"
		python3 -m venv "$iv_venv"
		"$iv_venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes \
			-r "$3/requirements/build-tools.lock"
		"$iv_venv/bin/pip" install --quiet --require-hashes --no-build-isolation -r "$iv_lock"
		touch "$iv_venv/.complete"
	fi
	"$iv_venv/bin/pip" install --quiet --no-deps --no-build-isolation --force-reinstall "$3"
	iv_before=""
	if [ -L "$iv_prefix/venv" ]; then
		iv_before=$iv_prefix/$(readlink "$iv_prefix/venv")
	elif [ -d "$iv_prefix/venv" ]; then # a venv from before 0.2.0, a real folder
		rm -rf "$iv_prefix/venv-before-0.2"
		mv "$iv_prefix/venv" "$iv_prefix/venv-before-0.2"
		iv_before=$iv_prefix/venv-before-0.2
	fi
	ln -sfn "venv-$iv_key" "$iv_prefix/venv.link"
	mv -T "$iv_prefix/venv.link" "$iv_prefix/venv"
	# The previous venv stays until the next upgrade (to go back: point the link at it).
	for iv_old in "$iv_prefix"/venv-*; do
		[ "$iv_old" = "$iv_venv" ] || [ "$iv_old" = "$iv_before" ] || rm -rf "$iv_old"
	done
}
