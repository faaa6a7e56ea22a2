#!/usr/bin/env bash
# macOS release recipe (NOT RUN in this project: no Mac, no Developer ID). Written down so a
# release engineer with a Mac can follow it; every step is a stock Apple tool.
#   Needs: Xcode command-line tools, a "Developer ID Application" and a "Developer ID
#   Installer" certificate in the keychain, and a notarytool keychain profile.
set -euo pipefail
VERSION=${VERSION:?set VERSION}
APP_ID="Developer ID Application: Example Firm LLP (TEAMID1234)"
PKG_ID="Developer ID Installer: Example Firm LLP (TEAMID1234)"
PROFILE=${NOTARY_PROFILE:-chambers-notary}   # xcrun notarytool store-credentials ...

# 1. Build llama.cpp for the fleet: Metal on Apple silicon (default), no -march=native.
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_METAL=on -DLLAVA_BUILD=OFF" \
    pip wheel --no-cache-dir --no-deps --no-binary llama-cpp-python llama-cpp-python
# 2. PyInstaller .app (windowed); collect llama_cpp/lib as in installer/linux/chambers.spec.
pyinstaller --noconfirm --windowed --name Chambers installer/linux/chambers.spec
mkdir -p dist/Chambers.app/Contents/Resources/trust
cp "${TRUST_ROOT:?path to the firm's root.json}" dist/Chambers.app/Contents/Resources/trust/root.json
# 3. Sign every Mach-O inside-out with the hardened runtime and a secure timestamp.
find dist/Chambers.app -type f \( -name '*.dylib' -o -name '*.so' \) -print0 |
    xargs -0 codesign --force --options runtime --timestamp --sign "$APP_ID"
codesign --force --options runtime --timestamp --entitlements installer/macos/entitlements.plist \
    --sign "$APP_ID" dist/Chambers.app
codesign --verify --deep --strict --verbose=2 dist/Chambers.app
# 4. Component package installing to /Applications, then a signed product archive.
pkgbuild --component dist/Chambers.app --install-location /Applications \
    --identifier com.chambers.app --version "$VERSION" dist/Chambers-component.pkg
productbuild --package dist/Chambers-component.pkg dist/Chambers-unsigned.pkg
productsign --sign "$PKG_ID" dist/Chambers-unsigned.pkg "dist/Chambers-$VERSION.pkg"
pkgutil --check-signature "dist/Chambers-$VERSION.pkg"
# 5. Notarise and staple, so Gatekeeper accepts it offline (air-gapped Macs).
xcrun notarytool submit "dist/Chambers-$VERSION.pkg" --keychain-profile "$PROFILE" --wait
xcrun stapler staple "dist/Chambers-$VERSION.pkg"
xcrun stapler validate "dist/Chambers-$VERSION.pkg"
spctl --assess --type install --verbose "dist/Chambers-$VERSION.pkg"
# Silent install on a workstation (or push through the MDM): sudo installer -pkg ... -target /
