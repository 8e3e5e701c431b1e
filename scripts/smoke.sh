#!/usr/bin/env bash
# The smoke test an installed casework must pass, as a council's IT would try it: init and
# check a new database, a demo of 300 cases, check, a quarterly export as the coordinator,
# and a desktop screenshot of the case list. Used by wheel-check.sh (a wheel installed in a
# clean venv) and bundle-check.sh (the PyInstaller bundle).
#
#   scripts/smoke.sh CLI APP RUN_DIR PYTHON
#
# CLI and APP are the two programs, RUN_DIR an empty folder for the databases, PYTHON one
# with casework and PySide6 (to work out the quarter and to look at the PNG), or "-" when
# the caller gives SMOKE_QUARTER and checks RUN_DIR/shot.png itself. The
# screenshot runs under Xvfb (Qt's xcb platform) when SMOKE_XVFB=1, else offscreen.
set -euo pipefail
CLI="$1" APP="$2" RUN="$3" PY="$4"
HERE="$(cd "$(dirname "$0")" && pwd)"
TAG="${SMOKE_TAG:-smoke}"
cd "$RUN"  # nowhere near the checkout: only the installed program can be found

echo "$TAG: init"
CASEWORK_PASSWORD="smoke check admin password" "$CLI" --db "$RUN/cw.db" \
  --user admin init --name "Smoke Admin" >"$RUN/init.log"
grep -q "RECOVERY KEY" "$RUN/init.log"
CASEWORK_PASSWORD="smoke check admin password" "$CLI" --db "$RUN/cw.db" --user admin check

echo "$TAG: demo --cases 300"
"$CLI" --db "$RUN/demo.db" demo --cases 300 >"$RUN/demo.log"
CASEWORK_PASSWORD="$(sed -n 's/^Password for every demo user: //p' "$RUN/demo.log")"
export CASEWORK_PASSWORD
"$CLI" --db "$RUN/demo.db" --user admin check

echo "$TAG: export (quarterly dataset, as the coordinator)"
QUARTER="${SMOKE_QUARTER:-}"
[ -n "$QUARTER" ] || QUARTER="$("$PY" "$HERE/last_quarter.py")"
"$CLI" --db "$RUN/demo.db" --user coord export quarterly \
  --quarter "$QUARTER" --out "$RUN/quarterly"
ls "$RUN/quarterly" | grep -q '\.csv$'
ls "$RUN/quarterly" | grep -q '\.xlsx$'

echo "$TAG: casework --screenshot (case list)"
shot=("$APP" --db "$RUN/demo.db" --user asb1 --page cases --screenshot "$RUN/shot.png")
if [ "${SMOKE_XVFB:-0}" = 1 ]; then
  xvfb-run -a -s "-screen 0 1920x1080x24" "${shot[@]}"
else
  QT_QPA_PLATFORM=offscreen "${shot[@]}"
fi
[ "$PY" = - ] || "$PY" "$HERE/png_check.py" "$RUN/shot.png" 1500 920
echo "$TAG: smoke OK"
