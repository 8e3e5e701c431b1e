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
SMOKE_TAG=wheel-check bash "$ROOT/scripts/smoke.sh" "$BIN/casework-cli" "$BIN/casework" \
  "$WORK/run" "$WORK/env/bin/python"

echo "wheel-check: a missing resource is named at start"
rm "$("$WORK/env/bin/python" -c "import casework_resources, os; print(os.path.join(os.path.dirname(casework_resources.__file__), 'style.qss'))")"
set +e
"$BIN/casework-cli" --db "$WORK/run/demo.db" --user admin check 2>"$WORK/missing.log"
code=$?
set -e
grep -q "style.qss" "$WORK/missing.log" || { cat "$WORK/missing.log"; exit 1; }
[ "$code" -eq 8 ] || { echo "wheel-check: FAIL: exit $code for a missing resource"; exit 1; }
echo "wheel-check: OK"
