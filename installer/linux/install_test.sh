#!/usr/bin/env bash
# `make package-test` (and tests/integration/test_package.py, part of `make test`): install
# $DIST/chambers_*.deb into a clean Debian 12 root without network (unshare -n) and there run
# `chambers doctor --json`, `chambers bundle verify` (and two tampered copies, which must be
# refused), `chambers bundle import` (as root) and a generation with the small Gemma model (as
# an ordinary user), then installs the bundle's OCR packages (packages/ocr/*.deb) with dpkg
# and imports and searches a scanned PDF. The root has no Python at all, so the package cannot
# lean on the build machine's. Every socket() and execve() call is traced: only AF_UNIX
# sockets may appear.
#
# The Debian root is built once with mmdebstrap (from Debian's packages; this is the only
# step that needs the network) and cached as a tarball in $CHAMBERS_PKG_CACHE.
# Results (doctor JSON, generation, tamper refusals, syscall trace) go to $CHAMBERS_TEST_OUT
# (default $DIST/install-test) for the test to parse. Runs as root (chroot, unshare).
set -euo pipefail
trap 'echo "install_test.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/../.."
CACHE=${CHAMBERS_PKG_CACHE:-$HOME/.cache/chambers-package}
DIST=${CHAMBERS_DIST:-dist}
OUT=${CHAMBERS_TEST_OUT:-$DIST/install-test}
[ "$(id -u)" = 0 ] || { echo "install_test.sh needs root (chroot, unshare -n)" >&2; exit 1; }
START=$(date +%s)
step() { echo "== $(($(date +%s) - START)) s: $*"; }
mkdir -p "$CACHE"

INCLUDE="passwd,ca-certificates,$(sed 's/ (.*//' installer/linux/depends.txt | tr '\n' ',' | sed 's/,$//')"
ROOTFS=$CACHE/rootfs-bookworm-$(echo "$INCLUDE" | sha256sum | cut -c1-12).tar
(
    flock 8  # two test runs must not both write the tarball
    if [ ! -f "$ROOTFS" ]; then
        command -v mmdebstrap >/dev/null || apt-get install -y -qq mmdebstrap >/dev/null
        step "creating the clean Debian root $ROOTFS (once)"
        rm -f "$ROOTFS.tmp.tar"
        mmdebstrap --quiet --variant=apt --include="$INCLUDE" bookworm "$ROOTFS.tmp.tar"
        mv "$ROOTFS.tmp.tar" "$ROOTFS"
    fi
) 8>"$CACHE/.rootfs.lock"
# CHAMBERS_ROOTFS_ONLY=1: only make sure the root exists (the test runs this beside build.sh,
# so that on a cold cache the download overlaps the llama.cpp build).
[ -z "${CHAMBERS_ROOTFS_ONLY:-}" ] || exit 0
DEB=$(ls "$DIST"/chambers_*_amd64.deb | head -1)
[ -d "$DIST/bundle" ] || { echo "$DIST/bundle is missing: run make package" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"

WORK=$(mktemp -d /tmp/chambers-install-test.XXXXXX)
finish() {
    cp -r "$WORK/root/tmp/out/." "$OUT/" 2>/dev/null || true
    [ -f "$WORK/syscalls.log" ] && cp "$WORK/syscalls.log" "$OUT/syscalls.log"
    # The mounts live in unshare's private namespace; should one ever leak, never delete
    # through it (/dev, the real bundle).
    umount -R "$WORK/root/proc" "$WORK/root/dev" "$WORK/root/tmp/in/bundle" 2>/dev/null || true
    rm -rf --one-file-system "$WORK"
}
trap finish EXIT
mkdir "$WORK/root"
step "unpacking the clean root"
tar -C "$WORK/root" -xf "$ROOTFS"
IN=$WORK/root/tmp/in
BUNDLE=$(realpath "$DIST/bundle")
mkdir -p "$IN/bundle" "$WORK/root/tmp/out"
cp "$DEB" "$IN/chambers.deb"
# A scanned court opinion with no text layer (2 pages), for OCR with the bundle's Tesseract.
install -m 644 "${CHAMBERS_SHARED_DATA:-$PWD/../shared/data}/files/court/image-pdf.pdf" "$IN/scan.pdf"
echo "a passphrase for the install test" > "$IN/passphrase" && chmod 644 "$IN/passphrase"
# Two tampered copies of the bundle's small files (models and package stay out: a verify
# checks the files present): a flipped digit in signed metadata, a flipped byte in a target.
for case in meta target; do
    mkdir -p "$IN/tampered-$case/targets"
    cp -r "$DIST/bundle/metadata" "$IN/tampered-$case/"
    cp "$DIST/bundle/targets/catalog.json" "$IN/tampered-$case/targets/"
done
python3 - "$IN" <<'PY'
import sys
from pathlib import Path
base = Path(sys.argv[1])
meta = base / "tampered-meta/metadata/targets.json"
text = meta.read_bytes()
at = text.index(b'"expires"') + len(b'"expires": "20')  # one digit of the year
meta.write_bytes(text[:at] + bytes([text[at] ^ 1]) + text[at + 1 :])
target = base / "tampered-target/targets/catalog.json"
data = bytearray(target.read_bytes())
data[len(data) // 2] ^= 1
target.write_bytes(bytes(data))
PY

cat > "$WORK/root/tmp/steps.sh" <<'EOF'
set -eu
O=/tmp/out
! command -v python3 && ! command -v python   # the clean root has no Python of its own
t0=$(date +%s%N)
dpkg -i /tmp/in/chambers.deb >/dev/null
echo "install_ms=$((($(date +%s%N) - t0) / 1000000))" | tee -a $O/figures.txt
stat -c '%U %a %n' /etc/chambers /var/lib/chambers/trust /usr/share/chambers/trust/root.json | tee $O/stat.txt
# An air-gapped workstation has no keyring: IT allows the wrapped audit key file.
echo '{"audit": {"allow_file_signing_key": true}}' > /etc/chambers/policy.d/10-airgap.json
useradd --create-home lawyer
runuser -u lawyer -- chambers doctor --json > $O/doctor-before.json
for case in meta target; do  # refused, before any import, against the installed root
    if runuser -u lawyer -- chambers bundle verify /tmp/in/tampered-$case \
        --root /usr/share/chambers/trust/root.json > $O/tampered-$case.txt 2>&1; then
        echo "FAIL: the tampered bundle ($case) verified" >&2; exit 1
    else
        echo "exit=$?" >> $O/tampered-$case.txt
    fi
done
t0=$(date +%s%N)
runuser -u lawyer -- chambers bundle verify --json /tmp/in/bundle > $O/verify.json
echo "verify_ms=$((($(date +%s%N) - t0) / 1000000))" | tee -a $O/figures.txt
chambers bundle import --json /tmp/in/bundle > $O/import.json
runuser -u lawyer -- chambers models verify > $O/models-verify.txt
runuser -u lawyer -- chambers doctor --json > $O/doctor.json
runuser -u lawyer -- chambers generate --model gemma-3-270m-q4_k_m \
    --prompt "The capital of France is" --max-tokens 12 --stats \
    > $O/generation.txt 2> $O/generation-stderr.txt
echo "generation: $(cat $O/generation.txt)"
test -s $O/generation.txt
chambers bundle verify /tmp/in/bundle > $O/verify-after-import.txt  # the same release again
# OCR: Tesseract is only Recommended, so dpkg -i above did not install it; IT installs the
# bundle's signed OCR packages (verified above) with dpkg alone: no mirror, no network.
if command -v tesseract; then echo "FAIL: Tesseract was installed before the bundle's" >&2; exit 1; fi
t0=$(date +%s%N)
dpkg -i /tmp/in/bundle/targets/packages/ocr/*.deb > $O/ocr-dpkg.txt
echo "ocr_install_ms=$((($(date +%s%N) - t0) / 1000000))" | tee -a $O/figures.txt
dpkg-query -W -f '${Package} ${Version} ${Status}\n' tesseract-ocr tesseract-ocr-eng > $O/ocr-packages.txt
U="--no-keyring --passphrase-file /tmp/in/passphrase"
runuser -u lawyer -- chambers vault create scans $U --json > $O/ocr-vault.json
t0=$(date +%s%N)
runuser -u lawyer -- chambers import scans /tmp/in/scan.pdf $U --json > $O/ocr-import.json
echo "ocr_import_ms=$((($(date +%s%N) - t0) / 1000000))" | tee -a $O/figures.txt
runuser -u lawyer -- chambers search scans '"prepared by the Reporter of Decisions"' $U --json > $O/ocr-search.json
runuser -u lawyer -- chambers search scans '"Oklahoma water laws"' $U --json > $O/ocr-search-2.json
echo STEPS-OK
EOF
step "installing and running in the clean root (no network)"
# --seccomp-bpf: only the traced calls stop the process (dpkg and the model run at speed).
# The bundle is bind-mounted read-only instead of copied (~400 MB).
strace -f --seccomp-bpf -qq -s 200 -e trace=socket,execve -o "$WORK/syscalls.log" \
    unshare -n -m --propagation private sh -c "
        mount -t proc proc '$WORK/root/proc'
        mount --rbind /dev '$WORK/root/dev'
        mount --bind '$BUNDLE' '$IN/bundle'
        mount -o remount,bind,ro '$IN/bundle'
        chroot '$WORK/root' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh /tmp/steps.sh
    " | tee "$WORK/steps.out"
grep -q STEPS-OK "$WORK/steps.out"
# strace pads short process ids ("2044  socket(..."): one space after the id, for grep and the test.
sed -i -E 's/^([0-9]+) +/\1 /' "$WORK/syscalls.log"
# useradd and runuser (the test's own tools, not Chambers) log to the kernel audit netlink.
BAD=0
for pid in $(grep 'socket(' "$WORK/syscalls.log" | grep -v AF_UNIX | cut -d' ' -f1 | sort -u); do
    exe=$(grep "^$pid execve" "$WORK/syscalls.log" | tail -1 || true)
    others=$(grep "^$pid socket(" "$WORK/syscalls.log" | grep -v AF_UNIX)
    if echo "$exe" | grep -qE 'execve\("/usr/sbin/(useradd|runuser)"' && ! echo "$others" | grep -qv NETLINK_AUDIT; then
        continue
    fi
    BAD=1
    echo "FAIL: a socket other than AF_UNIX, pid $pid: $(echo "$exe" | cut -c1-200)" >&2
    echo "$others" | sed 's/^/    /' >&2
done
[ "$BAD" = 0 ]
echo "sockets: Chambers opened $(grep -c 'AF_UNIX' "$WORK/syscalls.log" || true) sockets, all AF_UNIX"
step "package install test passed"
