#!/usr/bin/env bash
# Smoke test of the Windows installer sources on Linux: generate the ADMX/ADML template,
# build a per-machine MSI from chambers.wxs with Debian's wixl (placeholder payload), sign
# it with osslsigncode and a throw-away certificate, verify it, and check that a flipped
# byte fails verification. Usage: smoke.sh OUTDIR   (Debian packages: msitools osslsigncode)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build/windows}
rm -rf "$OUT" && mkdir -p "$OUT/payload"
PY=${PYTHON:-.venv/bin/python}
PYTHONPATH=$PWD "$PY" -m installer.windows.make_admx "$OUT/admx"
printf 'MZ placeholder for the PyInstaller chambers.exe\n' > "$OUT/payload/chambers.exe"
echo '{"signed": {"_type": "root"}, "signatures": []}' > "$OUT/payload/root.json"
WXS=$PWD/installer/windows/chambers.wxs
(cd "$OUT" && wixl -a x64 -D Version=0.1.0 -D SourceDir=payload -o chambers.msi "$WXS")  # relative paths only
openssl req -x509 -newkey rsa:3072 -nodes -days 2 -subj "/CN=Chambers test code signing" \
    -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null
osslsigncode sign -certs "$OUT/cert.pem" -key "$OUT/key.pem" -n Chambers -h sha256 \
    -in "$OUT/chambers.msi" -out "$OUT/chambers-signed.msi" >/dev/null
osslsigncode verify -CAfile "$OUT/cert.pem" -in "$OUT/chambers-signed.msi" > "$OUT/verify-good.txt" 2>&1
echo "signed MSI verifies"
cp "$OUT/chambers-signed.msi" "$OUT/chambers-tampered.msi"
SIZE=$(stat -c %s "$OUT/chambers-tampered.msi")
python3 - "$OUT/chambers-tampered.msi" "$((SIZE / 3))" <<'PY'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, "rb").read())
data[offset] ^= 0x01
open(path, "wb").write(bytes(data))
PY
if osslsigncode verify -CAfile "$OUT/cert.pem" -in "$OUT/chambers-tampered.msi" > "$OUT/verify-bad.txt" 2>&1; then
    echo "FAIL: a tampered MSI verified" >&2
    exit 1
fi
echo "tampered MSI refused"
