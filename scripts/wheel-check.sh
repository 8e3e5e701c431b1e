#!/usr/bin/env bash
# Build the wheel, install it into a clean virtual environment outside the checkout, and
# use it as a council's IT would: init, a demo, check, an export, a desktop screenshot.
# Proves that everything the program reads at run time travels in the wheel.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d /tmp/casework-wheel.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

echo "wheel-check: building the wheel"
"$PYTHON" -m venv "$WORK/build-env"
"$WORK/build-env/bin/pip" install -q --upgrade pip build
"$WORK/build-env/bin/python" -m build --wheel --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; exit 1; }
WHEEL="$(ls "$WORK"/dist/casework-*.whl)"
echo "wheel-check: $(basename "$WHEEL")"
for needed in casework_resources/sharing_protocol.json casework_resources/oxford-lsoas.csv \
              casework_resources/style.qss casework_resources/icons/casework.svg \
              casework_resources/letters/cpn.txt db/migrations/env.py \
              db/migrations/versions/0001_initial.py; do
  "$PYTHON" -c "import sys, zipfile; n=sys.argv[2]; sys.exit(0 if n in zipfile.ZipFile(sys.argv[1]).namelist() else 1)" "$WHEEL" "$needed" \
    || { echo "wheel-check: FAIL: $needed is not in the wheel"; exit 1; }
done

echo "wheel-check: installing into a clean environment"
"$PYTHON" -m venv "$WORK/env"
"$WORK/env/bin/pip" install -q --upgrade pip
"$WORK/env/bin/pip" install -q "$WHEEL"
BIN="$WORK/env/bin"
mkdir "$WORK/run"
cd "$WORK/run"  # nowhere near the checkout: only the installed package can be found
export QT_QPA_PLATFORM=offscreen

echo "wheel-check: init"
CASEWORK_PASSWORD="wheel check admin password" "$BIN/casework-cli" --db "$WORK/run/cw.db" \
  --user admin init --name "Wheel Admin" >"$WORK/init.log"
grep -q "RECOVERY KEY" "$WORK/init.log"
CASEWORK_PASSWORD="wheel check admin password" "$BIN/casework-cli" --db "$WORK/run/cw.db" \
  --user admin check

echo "wheel-check: demo --cases 300"
"$BIN/casework-cli" --db "$WORK/run/demo.db" demo --cases 300 >"$WORK/demo.log"
PASSWORD="$(sed -n 's/^Password for every demo user: //p' "$WORK/demo.log")"
export CASEWORK_PASSWORD="$PASSWORD"
"$BIN/casework-cli" --db "$WORK/run/demo.db" --user admin check

echo "wheel-check: export (quarterly dataset, as the coordinator)"
QUARTER="$("$WORK/env/bin/python" -c "from casework.core import clock; d = clock.today(); q = (d.month - 1) // 3; y, q = (d.year, q) if q else (d.year - 1, 4); print(f'{y}Q{q}')")"
"$BIN/casework-cli" --db "$WORK/run/demo.db" --user coord export quarterly \
  --quarter "$QUARTER" --out "$WORK/run/quarterly"
ls "$WORK/run/quarterly" | grep -q '\.csv$'
ls "$WORK/run/quarterly" | grep -q '\.xlsx$'

echo "wheel-check: casework --screenshot"
"$BIN/casework" --db "$WORK/run/demo.db" --user asb1 --screenshot "$WORK/run/shot.png"
test -s "$WORK/run/shot.png"

echo "wheel-check: a missing resource is named at start"
rm "$("$WORK/env/bin/python" -c "import casework_resources, os; print(os.path.join(os.path.dirname(casework_resources.__file__), 'style.qss'))")"
set +e
"$BIN/casework-cli" --db "$WORK/run/demo.db" --user admin check 2>"$WORK/missing.log"
code=$?
set -e
grep -q "style.qss" "$WORK/missing.log" || { cat "$WORK/missing.log"; exit 1; }
[ "$code" -eq 8 ] || { echo "wheel-check: FAIL: exit $code for a missing resource"; exit 1; }
echo "wheel-check: OK"
