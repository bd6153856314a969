#!/usr/bin/env bash
# Sign (optional), package and notarize (optional) LeshanReader.app as a .dmg. macOS only.
#   packaging/macos/make_dmg.sh path/to/LeshanReader.app VERSION OUTDIR
# Signing and notarization happen only when their credentials are in the environment (never in
# the repository); without them the .dmg is unsigned and still works (right-click > Open).
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)"  -> codesign, hardened runtime
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD                       -> notarytool + stapler
set -euo pipefail
app=$1 version=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
arch=$(uname -m)   # arm64 or x86_64: each is built on its own runner, no universal2 (PySide6 wheels)
dmg="$outdir/LeshanReader-$version-macos-$arch.dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "==> signing with hardened runtime"
  # Inside out: every Mach-O in the bundle, then the app itself.
  find "$app/Contents" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -u+x \) -print0 |
    xargs -0 -n 1 codesign --force --timestamp --options runtime \
      --entitlements "$here/entitlements.plist" --sign "$MACOS_SIGN_IDENTITY"
  codesign --force --timestamp --options runtime --entitlements "$here/entitlements.plist" \
    --sign "$MACOS_SIGN_IDENTITY" "$app"
  codesign --verify --deep --strict --verbose=2 "$app"
else
  echo "==> MACOS_SIGN_IDENTITY not set: the app is not signed (ad-hoc signature only)"
  codesign --force --deep --sign - "$app"
fi

echo "==> $dmg"
stage=$(mktemp -d)
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "乐山日报阅读器 $version" -srcfolder "$stage" -ov -format UDZO "$dmg"
rm -rf "$stage"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
  echo "==> notarizing"
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
  xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
    --password "$APPLE_APP_PASSWORD" --wait
  xcrun stapler staple "$dmg"
else
  echo "==> notarization skipped (APPLE_ID / APPLE_TEAM_ID / APPLE_APP_PASSWORD not set)"
fi
shasum -a 256 "$dmg" > "$dmg.sha256"
