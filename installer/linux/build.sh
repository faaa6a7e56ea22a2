#!/usr/bin/env bash
# `make package`: dist/chambers_<version>_amd64.deb (a PyInstaller one-folder bundle with its
# own Python) and dist/bundle/, a TUF-signed release bundle (package, OCR packages, catalog,
# small Gemma model) signed with throw-away test keys whose root is dist/test-root.json.
#
# Cached outside the repository ($CHAMBERS_PKG_CACHE, default ~/.cache/chambers-package):
#   wheels/   llama-cpp-python built for any AVX2 CPU (installer/llama-cmake-args), keyed by
#             flags; shared with the app's virtualenv (installer/llama_wheel.sh)
#   venv-*/   the build environment (runtime deps + PyInstaller), keyed by the dependency
#             lists + wheel (the newest two are kept)
#   pyi-*/    the PyInstaller folder, keyed by the source files and the environment (newest
#             three kept)
#   test-keys/ throw-away signing keys (kept, so that rebuilds ship the same test root)
#   ocr-debs-*/ Tesseract and the libraries it needs beyond a minimal root, for the bundle's
#             targets/packages/ocr/ (keyed by the packages' names and versions)
# One build at a time per cache: the whole script holds $CACHE/.build.lock (flock).
# Set TRUST_ROOT=/path/root.json to ship the firm's real trust root instead of the test one.
# CHAMBERS_DIST / CHAMBERS_BUILD move the outputs (default dist/, build/; the test
# tests/integration/test_package.py uses temporary folders). CHAMBERS_REPRO_CHECK=1 also
# stages and packs the .deb a second time from the same PyInstaller folder and compares.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
DEV_PY=$SRC/.venv/bin/python
CACHE=${CHAMBERS_PKG_CACHE:-$HOME/.cache/chambers-package}
DIST=${CHAMBERS_DIST:-dist}
BUILD=${CHAMBERS_BUILD:-build}
LLAMA_CMAKE=${LLAMA_CMAKE:-$(cat installer/llama-cmake-args)}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)}
export PYTHONHASHSEED=0
START=$(date +%s)
step() { echo "== $(($(date +%s) - START)) s: $*"; }
mkdir -p "$CACHE" "$DIST" "$BUILD"
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
    step "waiting for another package build to finish (lock $CACHE/.build.lock)"
    flock 9
fi
CACHED_WHEEL=yes CACHED_VENV=yes CACHED_PYI=yes

VERSION=$("$DEV_PY" -c 'import app; print(app.__version__)')
LLAMA_VERSION=$("$DEV_PY" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')

# 1. llama.cpp for every x86-64 CPU with AVX2 (the default build targets the build machine's
#    CPU, -march=native, and dies with "Illegal instruction" elsewhere). The wheel comes from
#    the wheelhouse the app's `make setup` fills (installer/llama_wheel.sh, same flags), so a
#    machine compiles llama.cpp once for both.
WHEEL_LOG=$(mktemp)
WHEEL=$(CMAKE_ARGS="$LLAMA_CMAKE" CHAMBERS_PKG_CACHE="$CACHE" PY="$DEV_PY" \
    bash installer/llama_wheel.sh "$LLAMA_VERSION" 2> >(tee "$WHEEL_LOG" >&2))
grep -q '^building' "$WHEEL_LOG" && CACHED_WHEEL=no
rm -f "$WHEEL_LOG"

# 2. The build environment: never the developer's virtualenv (it may hold a native build).
#    Keyed by the dependency lists (not all of pyproject.toml: a new lint or test setting
#    must not cost a fresh environment), the wheel and the Python version.
DEPS=$(python3 -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(d["dependencies"] + d["optional-dependencies"]["package"]))' | grep -v '^llama-cpp-python')
ENV_KEY=$( (echo "$DEPS"; sha256sum < "$WHEEL"; python3 --version) | sha256sum | cut -c1-16)
VENV=$CACHE/venv-$ENV_KEY
if [ ! -f "$VENV/.complete" ]; then
    step "creating the build environment $VENV"
    CACHED_VENV=no
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install --quiet "$WHEEL" $(echo "$DEPS" | tr '\n' ' ')
    touch "$VENV/.complete"
    # shellcheck disable=SC2012
    ls -dt "$CACHE"/venv-* | tail -n +3 | xargs -r rm -rf  # keep two (~500 MB each)
fi
touch "$VENV"  # newest used first when pruning

# 3. PyInstaller one-folder bundle, keyed by every source file it takes in.
SRC_KEY=$( (echo "$ENV_KEY"; find app resources models/catalog.json installer/linux/chambers.spec \
    installer/linux/entry.py -type f \
    ! -name '*.pyc' ! -path '*__pycache__*' -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
PYI=$CACHE/pyi-$SRC_KEY
if [ ! -x "$PYI/chambers/chambers" ] || [ -n "${NO_CACHE:-}" ]; then
    step "PyInstaller (source key $SRC_KEY)"
    CACHED_PYI=no
    rm -rf "$PYI" "$PYI.tmp" "$BUILD/pyinstaller"
    CHAMBERS_SRC=$SRC "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$PYI.tmp" --workpath "$BUILD/pyinstaller" installer/linux/chambers.spec
    mv "$PYI.tmp" "$PYI"  # complete or absent: an interrupted run leaves no half folder
    # Keep the newest few source keys: each is ~300 MB.
    # shellcheck disable=SC2012
    ls -dt "$CACHE"/pyi-* | grep -v '\.tmp$' | tail -n +4 | xargs -r rm -rf
else
    step "PyInstaller bundle cached ($PYI)"
    touch "$PYI"
fi

# 4. Throw-away test keys and their root (a real release ships IT's root: TRUST_ROOT=...).
KEYS=$CACHE/test-keys
if [ ! -d "$KEYS/root_history" ]; then
    PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign create-keys "$KEYS"
fi
PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign root "$KEYS" "$DIST/test-root.json" >/dev/null
ROOT_JSON=${TRUST_ROOT:-$DIST/test-root.json}
TEST_ROOT=no
if cmp -s "$ROOT_JSON" "$DIST/test-root.json"; then
    TEST_ROOT=yes
    echo "WARNING: this package ships the THROW-AWAY TEST trust root ($KEYS):" \
        "not for workstations. Release builds: TRUST_ROOT=/path/firm-root.json make package" >&2
fi

# 5. The Debian package. stage_deb FOLDER DEB: staging and packing, so that a second run
#    from the same PyInstaller folder can be compared byte for byte (CHAMBERS_REPRO_CHECK).
DEPENDS=$(grep -v '^#' installer/linux/depends.txt | paste -sd, - | sed 's/,/, /g')
stage_deb() {
    local stage=$1/root out=$2 size
    rm -rf "$1" && mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" \
        "$stage/usr/share/applications" "$stage/usr/share/icons/hicolor/scalable/apps" \
        "$stage/usr/share/chambers/trust" "$stage/etc/chambers/policy.d" \
        "$stage/var/lib/chambers/trust" "$stage/var/lib/chambers/models" "$stage/usr/share/doc/chambers"
    cp -a "$PYI/chambers" "$stage/opt/chambers"
    ln -s /opt/chambers/chambers "$stage/usr/bin/chambers"
    cp installer/linux/chambers.desktop "$stage/usr/share/applications/"
    cp installer/linux/chambers.svg "$stage/usr/share/icons/hicolor/scalable/apps/"
    cp "$ROOT_JSON" "$stage/usr/share/chambers/trust/root.json"
    if [ "$TEST_ROOT" = yes ]; then  # `chambers doctor` reports it (app/bundle/state.py)
        echo "The trust root beside this file belongs to throw-away test keys." \
            > "$stage/usr/share/chambers/trust/TEST-ROOT"
    fi
    cp installer/linux/00-models-folder.json "$stage/etc/chambers/policy.d/"
    cp installer/README.md "$stage/usr/share/doc/chambers/README.installer.md"
    size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
    sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$DEPENDS/" -e "s/@SIZE@/$size/" \
        installer/linux/control.in > "$stage/DEBIAN/control"
    echo /etc/chambers/policy.d/00-models-folder.json > "$stage/DEBIAN/conffiles"
    chmod -R u+rwX,go+rX,go-w "$stage"
    chmod 0755 "$stage/var/lib/chambers/trust"  # readable: any user may verify
    find "$stage" -depth -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
    # gzip -6 (deterministic): -9 took 3x as long here (47 s against 16 s) for 0.5 % less.
    dpkg-deb --root-owner-group -Zgzip -z6 --build "$stage" "$out" >/dev/null
}
step "staging and packing the .deb"
DEB=$DIST/chambers_${VERSION}_amd64.deb
REPRO_DEB=
if [ -n "${CHAMBERS_REPRO_CHECK:-}" ]; then
    REPRO_DEB=$BUILD/deb-repro/chambers.deb
    stage_deb "$BUILD/deb-repro" "$BUILD/deb-repro.deb" &  # in parallel: gzip uses one core
    REPRO_PID=$!
fi
stage_deb "$BUILD/deb" "$DEB"
if [ -n "$REPRO_DEB" ]; then
    wait "$REPRO_PID"
    mv "$BUILD/deb-repro.deb" "$REPRO_DEB"
fi
step "built $DEB ($(du -h "$DEB" | cut -f1))"

# 6. OCR for air-gapped workstations: Debian's Tesseract (app/ingest/ocr.py runs it) and every
#    package it needs beyond a minimal bookworm root (Essential, apt, passwd, ca-certificates)
#    with the .deb's own Depends. apt resolves that set against an empty dpkg status twice
#    (base, base + OCR) and the difference is downloaded; cached by the names and versions.
OCR_PACKAGES="tesseract-ocr tesseract-ocr-eng"
ocr_simulate() {  # "name=version" lines apt would install on an empty system for "$@"
    apt-get -s -o Dir::State::status="$OCR_TMP/status" -o Debug::NoLocking=1 \
        install --no-install-recommends "$@" | awk '/^Inst /{print $2 "=" substr($3, 2)}' | sort -u
}
OCR_TMP=$(mktemp -d) && : > "$OCR_TMP/status"
OCR_BASE="$(apt-cache dumpavail | awk '/^Package:/{p=$2} /^Essential: yes/{print p}' | sort -u | tr '\n' ' ')"
OCR_BASE+=" apt passwd ca-certificates $(grep -v '^#' installer/linux/depends.txt | sed 's/ (.*//' | tr '\n' ' ')"
# shellcheck disable=SC2086
ocr_simulate $OCR_BASE > "$OCR_TMP/base" && ocr_simulate $OCR_BASE $OCR_PACKAGES > "$OCR_TMP/all" \
    || { echo "build.sh: apt cannot resolve $OCR_PACKAGES (run apt-get update)" >&2; exit 1; }
OCR_CLOSURE=$(comm -13 "$OCR_TMP/base" "$OCR_TMP/all")
rm -rf "$OCR_TMP"
echo "$OCR_CLOSURE" | grep -q '^tesseract-ocr-eng=' \
    || { echo "build.sh: apt did not resolve $OCR_PACKAGES (run apt-get update)" >&2; exit 1; }
OCR_DEBS=$CACHE/ocr-debs-$(echo "$OCR_CLOSURE" | sha256sum | cut -c1-12)
if [ ! -f "$OCR_DEBS/.complete" ]; then
    step "downloading $(echo "$OCR_CLOSURE" | wc -l) OCR packages (Tesseract and its libraries)"
    rm -rf "$OCR_DEBS.tmp" && mkdir -p "$OCR_DEBS.tmp"
    # shellcheck disable=SC2046
    (cd "$OCR_DEBS.tmp" && apt-get download -qq $(echo "$OCR_CLOSURE" | tr '\n' ' ') 2>&1 \
        | grep -v '^W: Download is performed unsandboxed' || true)
    [ "$(ls "$OCR_DEBS.tmp"/*.deb | wc -l)" = "$(echo "$OCR_CLOSURE" | wc -l)" ] \
        || { echo "build.sh: apt-get download of the OCR packages failed" >&2; exit 1; }
    touch "$OCR_DEBS.tmp/.complete" && mv "$OCR_DEBS.tmp" "$OCR_DEBS"
    # shellcheck disable=SC2012
    ls -dt "$CACHE"/ocr-debs-* | grep -v '\.tmp$' | tail -n +3 | xargs -r rm -rf
fi

# 7. The signed release bundle: package, OCR packages, catalog and the small Gemma model.
GEMMA=$("$DEV_PY" -c 'from app.models.store import resolve_model; print(resolve_model("gemma-3-270m-q4_k_m").path)')
rm -rf "$DIST/bundle" && mkdir -p "$DIST/bundle/targets/packages/ocr" "$DIST/bundle/targets/models"
cp "$DEB" "$DIST/bundle/targets/packages/"
cp "$OCR_DEBS"/*.deb "$DIST/bundle/targets/packages/ocr/"
cp models/catalog.json "$DIST/bundle/targets/catalog.json"
cp "$GEMMA" "$DIST/bundle/targets/models/"
PYTHONPATH=$SRC "$DEV_PY" -m installer.sign.chambers_sign sign "$KEYS" "$DIST/bundle" --version "$SOURCE_DATE_EPOCH" >/dev/null
chmod -R u+rwX,go+rX,go-w "$DIST/bundle"  # the models folder is private (0600): any user verifies
sha256sum "$DEB" | tee "$DIST/SHA256SUMS"

# What was built and from what: for IT's records and tests/integration/test_package.py.
BUILD_INFO_DEB=$DEB BUILD_INFO_REPRO=$REPRO_DEB BUILD_INFO_OCR=$DIST/bundle/targets/packages/ocr "$DEV_PY" - "$DIST/build-info.json" <<PY
import hashlib, json, os, sys
def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest() if path else None
deb, repro = os.environ["BUILD_INFO_DEB"], os.environ["BUILD_INFO_REPRO"]
ocr = os.environ["BUILD_INFO_OCR"]
json.dump({
    "version": "$VERSION", "source_date_epoch": $SOURCE_DATE_EPOCH,
    "deb": os.path.abspath(deb), "deb_sha256": sha(deb),
    "repro_deb": os.path.abspath(repro) if repro else None, "repro_deb_sha256": sha(repro),
    "stage": os.path.abspath("$BUILD/deb/root"), "pyinstaller_folder": "$PYI/chambers",
    "build_venv": "$VENV", "dev_venv": "$SRC/.venv", "source": "$SRC",
    "cached": {"wheel": "$CACHED_WHEEL" == "yes", "venv": "$CACHED_VENV" == "yes",
               "pyinstaller": "$CACHED_PYI" == "yes"},
    "ocr_debs": sorted(os.listdir(ocr)),
    "ocr_debs_bytes": sum(os.path.getsize(os.path.join(ocr, n)) for n in os.listdir(ocr)),
    "test_root": "$TEST_ROOT" == "yes", "seconds": $(($(date +%s) - START)),
}, open(sys.argv[1], "w"), indent=2)
PY
step "done: $DEB, $DIST/bundle (release $SOURCE_DATE_EPOCH), $DIST/test-root.json"
