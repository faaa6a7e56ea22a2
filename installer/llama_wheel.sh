#!/usr/bin/env bash
# Prints the path of a llama-cpp-python wheel built with $CMAKE_ARGS (default: the portable
# CPU flags in installer/llama-cmake-args), building it only if the shared wheelhouse lacks it.
#
# Why one wheelhouse: the app's virtualenv (`make setup`) and the .deb (`installer/linux/
# build.sh`) used to compile llama.cpp separately, most of a cold `make test`. Both now take
# the wheel from $CHAMBERS_PKG_CACHE/wheels/llama-<hash of the flags>/ (default
# ~/.cache/chambers-package), so a machine compiles llama.cpp once per version and flags.
#
# Why explicit instruction sets: ggml turns its AVX/AVX2/FMA/F16C defaults OFF whenever
# SOURCE_DATE_EPOCH is set (ggml/CMakeLists.txt: GGML_NATIVE_DEFAULT), which the package
# build sets for reproducibility: the .deb then shipped an SSE-only llama.cpp. Spelled out,
# the flags mean the same build whatever the environment (x86-64-v3: Haswell, 2013, or newer).
#
# Usage: PY=.venv/bin/python installer/llama_wheel.sh [VERSION]
# Without VERSION: the newest wheel already in the wheelhouse, else the newest release.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-python3}
FLAGS=${CMAKE_ARGS:-$(cat "$HERE/llama-cmake-args")}
CACHE=${CHAMBERS_PKG_CACHE:-$HOME/.cache/chambers-package}
HOUSE=$CACHE/wheels/llama-$(printf '%s' "$FLAGS" | sha256sum | cut -c1-12)
VERSION=${1:-}
pattern="llama_cpp_python-${VERSION:-*}-*.whl"
found() { [ -d "$HOUSE" ] && find "$HOUSE" -maxdepth 1 -name "$pattern" | sort -V | tail -n 1 || true; }
WHEEL=$(found)
if [ -z "$WHEEL" ]; then
    mkdir -p "$CACHE/wheels"
    exec 8>"$CACHE/wheels/.llama.lock"
    flock 8  # two builds at once (app and package) would compile it twice
    WHEEL=$(found)
fi
if [ -z "$WHEEL" ]; then
    echo "building llama-cpp-python ${VERSION:-(newest)} with: $FLAGS (slow: 12-20 min on 2 cores, once)" >&2
    rm -rf "$HOUSE.tmp"
    # --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and could hand back a build
    # with other flags.
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} CMAKE_ARGS="$FLAGS" \
        "$PY" -m pip wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python \
        -w "$HOUSE.tmp" "llama-cpp-python${VERSION:+==$VERSION}" >&2
    mkdir -p "$HOUSE"
    mv "$HOUSE.tmp"/llama_cpp_python-*.whl "$HOUSE/"
    rm -rf "$HOUSE.tmp"
    printf '%s\n' "$FLAGS" > "$HOUSE/FLAGS"
    WHEEL=$(found)
fi
printf '%s\n' "$WHEEL"
