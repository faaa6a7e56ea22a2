#!/usr/bin/env bash
# `make package`: dist/chambers_<version>_amd64.deb (a PyInstaller one-folder bundle with its
# own Python) and dist/bundle/, a TUF-signed release bundle (package, catalog, small Gemma
# model) signed with throw-away test keys whose root is dist/test-root.json.
#
# Cached outside the repository ($CHAMBERS_PKG_CACHE, default ~/.cache/chambers-package):
#   wheels/   llama-cpp-python built for release (-DGGML_NATIVE=OFF), keyed by version+flags
#   venv-*/   the build environment (runtime deps + PyInstaller), keyed by pyproject + wheel
#   pyi-*/    the PyInstaller folder, keyed by the source files and the environment
#   test-keys/ throw-away signing keys (kept, so that rebuilds ship the same test root)
# Set TRUST_ROOT=/path/root.json to ship the firm's real trust root instead of the test one.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
DEV_PY=$SRC/.venv/bin/python
CACHE=${CHAMBERS_PKG_CACHE:-$HOME/.cache/chambers-package}
LLAMA_CMAKE=${LLAMA_CMAKE:-"-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)}
export PYTHONHASHSEED=0
START=$(date +%s)
step() { echo "== $(($(date +%s) - START)) s: $*"; }
mkdir -p "$CACHE" dist

VERSION=$("$DEV_PY" -c 'import app; print(app.__version__)')
LLAMA_VERSION=$("$DEV_PY" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')

# 1. llama.cpp for every x86-64 CPU: the default build targets the build machine's CPU
#    (-march=native) and dies with "Illegal instruction" elsewhere.
WHEELS=$CACHE/wheels/llama-$LLAMA_VERSION-$(echo "$LLAMA_CMAKE" | sha256sum | cut -c1-12)
if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step "building llama-cpp-python $LLAMA_VERSION with $LLAMA_CMAKE (slow: ~12 min on 2 cores)"
    rm -rf "$WHEELS.tmp"
    CMAKE_ARGS="$LLAMA_CMAKE" "$DEV_PY" -m pip wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python \
        -w "$WHEELS.tmp" "llama-cpp-python==$LLAMA_VERSION"
    mv "$WHEELS.tmp" "$WHEELS"
fi
WHEEL=$(ls "$WHEELS"/llama_cpp_python-*.whl)

# 2. The build environment: never the developer's virtualenv (it may hold a native build).
ENV_KEY=$( (cat pyproject.toml; sha256sum < "$WHEEL"; python3 --version) | sha256sum | cut -c1-16)
VENV=$CACHE/venv-$ENV_KEY
if [ ! -f "$VENV/.complete" ]; then
    step "creating the build environment $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    DEPS=$(python3 -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(d["dependencies"] + d["optional-dependencies"]["package"]))' | grep -v '^llama-cpp-python')
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install --quiet "$WHEEL" $(echo "$DEPS" | tr '\n' ' ')
    touch "$VENV/.complete"
fi

# 3. PyInstaller one-folder bundle, keyed by every source file it takes in.
SRC_KEY=$( (echo "$ENV_KEY"; find app resources models/catalog.json installer/linux/chambers.spec \
    installer/linux/entry.py -type f \
    ! -name '*.pyc' ! -path '*__pycache__*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
PYI=$CACHE/pyi-$SRC_KEY
if [ ! -x "$PYI/chambers/chambers" ] || [ -n "${NO_CACHE:-}" ]; then
    step "PyInstaller (source key $SRC_KEY)"
    rm -rf "$PYI" build/pyinstaller
    CHAMBERS_SRC=$SRC "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$PYI" --workpath build/pyinstaller installer/linux/chambers.spec
else
    step "PyInstaller bundle cached ($PYI)"
fi

# 4. Throw-away test keys and their root (a real release ships IT's root: TRUST_ROOT=...).
KEYS=$CACHE/test-keys
if [ ! -d "$KEYS/root_history" ]; then
    PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign create-keys "$KEYS"
fi
PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign root "$KEYS" dist/test-root.json >/dev/null
ROOT_JSON=${TRUST_ROOT:-dist/test-root.json}

# 5. The Debian package.
step "staging the .deb"
STAGE=build/deb/root
rm -rf build/deb && mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" \
    "$STAGE/usr/share/applications" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
    "$STAGE/usr/share/chambers/trust" "$STAGE/etc/chambers/policy.d" \
    "$STAGE/var/lib/chambers/trust" "$STAGE/var/lib/chambers/models" "$STAGE/usr/share/doc/chambers"
cp -a "$PYI/chambers" "$STAGE/opt/chambers"
ln -s /opt/chambers/chambers "$STAGE/usr/bin/chambers"
cp installer/linux/chambers.desktop "$STAGE/usr/share/applications/"
cp installer/linux/chambers.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
cp "$ROOT_JSON" "$STAGE/usr/share/chambers/trust/root.json"
cp installer/linux/00-models-folder.json "$STAGE/etc/chambers/policy.d/"
cp installer/README.md "$STAGE/usr/share/doc/chambers/README.installer.md"
DEPENDS=$(grep -v '^#' installer/linux/depends.txt | paste -sd, - | sed 's/,/, /g')
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$DEPENDS/" -e "s/@SIZE@/$SIZE/" \
    installer/linux/control.in > "$STAGE/DEBIAN/control"
echo /etc/chambers/policy.d/00-models-folder.json > "$STAGE/DEBIAN/conffiles"
chmod -R u+rwX,go+rX,go-w "$STAGE"
chmod 0755 "$STAGE/var/lib/chambers/trust"  # readable: any user may verify
find "$STAGE" -depth -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
DEB=dist/chambers_${VERSION}_amd64.deb
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$DEB" >/dev/null
step "built $DEB ($(du -h "$DEB" | cut -f1))"

# 6. The signed release bundle: package, catalog and the small Gemma model.
GEMMA=$("$DEV_PY" -c 'from app.models.store import resolve_model; print(resolve_model("gemma-3-270m-q4_k_m").path)')
rm -rf dist/bundle && mkdir -p dist/bundle/targets/packages dist/bundle/targets/models
cp "$DEB" dist/bundle/targets/packages/
cp models/catalog.json dist/bundle/targets/catalog.json
cp "$GEMMA" dist/bundle/targets/models/
PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign sign "$KEYS" dist/bundle --version "$SOURCE_DATE_EPOCH" >/dev/null
sha256sum "$DEB" | tee dist/SHA256SUMS
step "done: $DEB, dist/bundle (release $SOURCE_DATE_EPOCH), dist/test-root.json"
