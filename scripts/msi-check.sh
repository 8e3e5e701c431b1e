#!/usr/bin/env bash
# Build installer/windows/casework.wxs with wixl (Debian's msitools) against a staged
# payload laid out like the Windows PyInstaller folder, both variants (per-machine for IT,
# per-user for pilots), and check the tables an IT department relies on: the fixed
# UpgradeCode, the version from pyproject.toml, the install scope, the Start-menu
# shortcut, the major-upgrade rows. The payload's file contents are placeholders: this
# proves the WiX source, not the Windows build (.github/workflows/windows-msi.yml does).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/casework-msi.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
if ! command -v wixl >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "msi-check: wixl is missing (run: sudo apt-get install wixl msitools)" >&2; exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wixl msitools \
    >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends wixl msitools >/dev/null; }
fi
VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -1)"
STAGE="$WORK/stage"
mkdir -p "$STAGE/_internal/icons" "$STAGE/_internal/casework_resources/letters" \
         "$STAGE/_internal/db/migrations/versions" "$STAGE/_internal/PySide6/plugins/platforms"
for f in casework.exe casework-cli.exe _internal/python311.dll _internal/base_library.zip \
         _internal/icons/casework.ico _internal/icons/casework.png \
         _internal/casework_resources/style.qss _internal/casework_resources/letters/cpn.txt \
         _internal/db/migrations/env.py _internal/db/migrations/versions/0001_initial.py \
         _internal/PySide6/plugins/platforms/qwindows.dll; do
  printf 'staged %s\n' "$f" >"$STAGE/$f"
done
(cd "$WORK" && find stage -type f | sort \
  | wixl-heat -p stage/ --component-group Payload --var var.SourceDir \
      --directory-ref INSTALLDIR --win64 >"$WORK/payload.wxs")

check() {  # check MSI TABLE PATTERN: the exported table has a row matching PATTERN
  msiinfo export "$1" "$2" | tr -d "\r" | grep -Eq "$3" \
    || { echo "msi-check: FAIL: $(basename "$1"): no $2 row matching $3"; exit 1; }
}
for scope in perMachine perUser; do
  msi="$WORK/casework-$VERSION-$scope.msi"
  (cd "$WORK" && wixl -a x64 -D Version="$VERSION" -D SourceDir=stage -D Win64=yes \
     -D Scope="$scope" -o "$msi" "$ROOT/installer/windows/casework.wxs" payload.wxs) \
    2>"$WORK/wixl.log" || { cat "$WORK/wixl.log"; exit 1; }
  check "$msi" Property "^ProductVersion	$VERSION$"
  check "$msi" Shortcut "^AppShortcut	MenuFolder	casework	.*\[INSTALLDIR\]casework.exe"
  check "$msi" Upgrade "WIX_UPGRADE_DETECTED"
  check "$msi" Upgrade "WIX_DOWNGRADE_DETECTED"
  check "$msi" File "casework-cli.exe"
  # No component may own anything outside the program folder and the Start menu: the
  # user's databases and key slots are never the installer's to remove.
  if msiinfo export "$msi" RemoveFile | grep -qv "^FileKey\|^s72\|^RemoveFile\|RemoveMenuFolder"; then
    echo "msi-check: FAIL: $scope removes files beyond its own"; exit 1
  fi
  if [ "$scope" = perMachine ]; then
    check "$msi" Property "^UpgradeCode	\{9E4B2A6D-3C71-4F58-A0B9-6D2E5C1F8B37\}$"
    check "$msi" Property "^ALLUSERS	1$"
    check "$msi" Directory "^INSTALLDIR	ProgramFiles64Folder	casework$"
  else
    check "$msi" Property "^UpgradeCode	\{5B0C3C52-6F0B-4B7E-9D8A-2E1C8F3A7D41\}$"
    check "$msi" Property "^MSIINSTALLPERUSER	1$"
    check "$msi" Directory "^INSTALLDIR	UserPrograms	casework$"
  fi
  echo "msi-check: $(basename "$msi") builds ($(du -h "$msi" | cut -f1))"
done

# The Windows workflow: valid YAML, and every action it uses is a real one at a released
# major version (this machine cannot run it).
WORKFLOW="$ROOT/.github/workflows/windows-msi.yml"
python3 -c "import yaml" 2>/dev/null || python3 -m pip install -q --target "$WORK/py" pyyaml
PYTHONPATH="$WORK/py" python3 - "$WORKFLOW" <<'PY'
import sys
import yaml

known = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4"}
flow = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
steps = [s for job in flow["jobs"].values() for s in job["steps"]]
uses = {s["uses"] for s in steps if "uses" in s}
assert uses <= known, f"unknown actions: {sorted(uses - known)}"
assert any("smoke.ps1" in s.get("run", "") for s in steps), "no smoke test step"
assert all("runs-on" in job for job in flow["jobs"].values())
print(f"msi-check: {sys.argv[1].split('/')[-1]}: {len(steps)} steps, actions {sorted(uses)}")
PY
echo "msi-check: OK"
