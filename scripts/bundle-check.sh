#!/usr/bin/env bash
# Build the one-folder Linux bundle from installer/casework.spec (PyInstaller, in a build
# environment of its own) and its tarball, then install the tarball as a council laptop
# would and run scripts/smoke.sh on the bundled programs: the program folder read-only,
# run as an unprivileged user (when this runs as root), without a network (when the system
# allows a network namespace), the screenshot under Xvfb. Also checks that a screen that
# cannot be shown exits non-zero. Leaves dist/casework-VERSION-linux-x86_64.tar.gz.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d /tmp/casework-bundle.XXXXXX)"
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
bash "$ROOT/scripts/system-deps.sh"  # xvfb and the libraries Qt loads
t0=$SECONDS

echo "bundle-check: build environment (casework and PyInstaller)"
"$PYTHON" -m venv "$WORK/build-env"
PY="$WORK/build-env/bin/python"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q "$ROOT" "pyinstaller>=6.10,<7" >"$WORK/pip.log" 2>&1 \
  || { tail -40 "$WORK/pip.log"; exit 1; }
VERSION="$("$PY" -c 'from importlib.metadata import version; print(version("casework"))')"

echo "bundle-check: pyinstaller installer/casework.spec"
t1=$SECONDS
(cd "$WORK" && "$WORK/build-env/bin/pyinstaller" --noconfirm --log-level WARN \
   --distpath "$WORK/dist" --workpath "$WORK/build" "$ROOT/installer/casework.spec") \
   >"$WORK/pyinstaller.log" 2>&1 || { tail -60 "$WORK/pyinstaller.log"; exit 1; }
build_s=$((SECONDS - t1))
mkdir -p "$ROOT/dist"
TARBALL="$ROOT/dist/casework-$VERSION-linux-x86_64.tar.gz"
tar -C "$WORK/dist" -czf "$TARBALL" casework

echo "bundle-check: install the tarball read-only"
mkdir "$WORK/opt"
tar -C "$WORK/opt" -xzf "$TARBALL"
APPDIR="$WORK/opt/casework"
chmod -R a-w "$APPDIR"
mkdir -p "$WORK/home" "$WORK/run" "$WORK/scripts"
cp "$ROOT/scripts/smoke.sh" "$ROOT/scripts/png_check.py" "$WORK/scripts/"  # readable by all
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  # root writes anywhere: run as nobody so a write into the program folder fails.
  chown 65534:65534 "$WORK/home" "$WORK/run"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
offline=()
if unshare -n true 2>/dev/null; then
  offline=(unshare -n)  # no network: nothing may be downloaded at first run
else
  echo "bundle-check: (no network namespace here: the run is not cut off the network)"
fi
run() {
  "${offline[@]}" "${as_user[@]}" env -i PATH=/usr/bin:/bin HOME="$WORK/home" \
    XDG_DATA_HOME="$WORK/home/.local/share" LANG=C.UTF-8 "$@"
}
size="$(du -sh "$APPDIR" | cut -f1)"
tar_size="$(du -h "$TARBALL" | cut -f1)"
t2=$SECONDS
# The build environment's Python may live where the unprivileged user cannot reach (a
# pyenv under /root): it works out the quarter and looks at the PNG as the caller.
QUARTER="$("$PY" "$ROOT/scripts/last_quarter.py")"
run SMOKE_TAG=bundle-check SMOKE_XVFB=1 SMOKE_QUARTER="$QUARTER" \
  bash "$WORK/scripts/smoke.sh" "$APPDIR/casework-cli" "$APPDIR/casework" "$WORK/run" -
smoke_s=$((SECONDS - t2))
"$PY" "$ROOT/scripts/png_check.py" "$WORK/run/shot.png" 1500 920

echo "bundle-check: a screen that cannot be shown exits non-zero"
set +e
run CASEWORK_PASSWORD="$(sed -n 's/^Password for every demo user: //p' "$WORK/run/demo.log")" \
  QT_QPA_PLATFORM=offscreen "$APPDIR/casework" --db "$WORK/run/demo.db" --user asb1 \
  --page admin --screenshot "$WORK/run/admin.png" 2>"$WORK/run/admin.err"
code=$?
set -e
[ "$code" -ne 0 ] && grep -qE "could not be shown|no screen .admin. for this user" "$WORK/run/admin.err" \
  || { cat "$WORK/run/admin.err"; echo "bundle-check: FAIL: exit $code"; exit 1; }

echo "bundle-check: start-up"
TIMEFORMAT=%R
cli_start="$( { time "$APPDIR/casework-cli" --help >/dev/null; } 2>&1 )"
[ -n "${BUNDLE_SHOT:-}" ] && cp "$WORK/run/shot.png" "$BUNDLE_SHOT"
echo "bundle-check: bundle $size ($tar_size tarball $(basename "$TARBALL")); build ${build_s}s," \
     "smoke ${smoke_s}s, casework-cli --help ${cli_start}s, total $((SECONDS - t0))s"
echo "bundle-check: OK"
