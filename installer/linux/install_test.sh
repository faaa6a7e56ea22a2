#!/usr/bin/env bash
# `make package-test`: install dist/chambers_*.deb into a clean Debian 12 root without
# network (unshare -n) and there run `chambers doctor --json`, `chambers bundle verify`,
# `chambers bundle import` (as root) and a generation with the small Gemma model (as an
# ordinary user). The root has no Python at all, so the package cannot lean on the build
# machine's. Every socket() call is traced: only AF_UNIX may appear.
#
# The Debian root is built once with mmdebstrap (from Debian's packages; this is the only
# step that needs the network) and cached as a tarball in $CHAMBERS_PKG_CACHE.
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE=${CHAMBERS_PKG_CACHE:-$HOME/.cache/chambers-package}
DEB=$(ls dist/chambers_*_amd64.deb | head -1)
[ -d dist/bundle ] || { echo "dist/bundle is missing: run make package" >&2; exit 1; }
START=$(date +%s)
step() { echo "== $(($(date +%s) - START)) s: $*"; }

INCLUDE="passwd,ca-certificates,$(sed 's/ (.*//' installer/linux/depends.txt | tr '\n' ',' | sed 's/,$//')"
ROOTFS=$CACHE/rootfs-bookworm-$(echo "$INCLUDE" | sha256sum | cut -c1-12).tar
if [ ! -f "$ROOTFS" ]; then
    command -v mmdebstrap >/dev/null || apt-get install -y -qq mmdebstrap >/dev/null
    step "creating the clean Debian root $ROOTFS (once)"
    mmdebstrap --quiet --variant=apt --include="$INCLUDE" bookworm "$ROOTFS.tmp.tar"
    mv "$ROOTFS.tmp.tar" "$ROOTFS"
fi

WORK=$(mktemp -d /tmp/chambers-install-test.XXXXXX)
trap 'umount -R "$WORK/root/proc" "$WORK/root/dev" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir "$WORK/root"
tar -C "$WORK/root" -xf "$ROOTFS"
cp "$DEB" "$WORK/root/tmp/chambers.deb"
cp -r dist/bundle "$WORK/root/tmp/bundle"
cat > "$WORK/root/tmp/steps.sh" <<'EOF'
set -eu
! command -v python3 && ! command -v python   # the clean root has no Python of its own
t0=$(date +%s%N)
dpkg -i /tmp/chambers.deb >/dev/null
echo "install_ms=$((($(date +%s%N) - t0) / 1000000))"
stat -c '%U %a %n' /etc/chambers /var/lib/chambers/trust /usr/share/chambers/trust/root.json
# An air-gapped workstation has no keyring: IT allows the wrapped audit key file.
echo '{"audit": {"allow_file_signing_key": true}}' > /etc/chambers/policy.d/10-airgap.json
useradd --create-home lawyer
runuser -u lawyer -- chambers doctor --json > /tmp/doctor.json
echo "doctor_ok=$(grep -c '"' /tmp/doctor.json)"
t0=$(date +%s%N)
chambers bundle verify /tmp/bundle
echo "verify_ms=$((($(date +%s%N) - t0) / 1000000))"
chambers bundle import /tmp/bundle
runuser -u lawyer -- chambers models verify
runuser -u lawyer -- chambers generate --model gemma-3-270m-q4_k_m \
    --prompt "The capital of France is" --max-tokens 12 > /tmp/generation.txt
echo "generation: $(cat /tmp/generation.txt)"
test -s /tmp/generation.txt
# A bundle already imported cannot be replayed older: same one again is fine.
chambers bundle verify /tmp/bundle >/dev/null
echo STEPS-OK
EOF
step "installing into the clean root (no network)"
strace -f -qq -s 200 -e trace=socket,execve -o "$WORK/sockets.log" \
    unshare -n -m --propagation private sh -c "
        mount -t proc proc '$WORK/root/proc'
        mount --rbind /dev '$WORK/root/dev'
        chroot '$WORK/root' /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root /bin/sh /tmp/steps.sh
    " | tee "$WORK/steps.out"
grep -q STEPS-OK "$WORK/steps.out"
cp "$WORK/sockets.log" dist/install-test-syscalls.log
# useradd and runuser (the test's own tools, not Chambers) log to the kernel audit netlink.
BAD=0
for pid in $(grep 'socket(' "$WORK/sockets.log" | grep -v AF_UNIX | cut -d' ' -f1 | sort -u); do
    exe=$(grep "^$pid execve" "$WORK/sockets.log" | tail -1)
    others=$(grep "^$pid socket(" "$WORK/sockets.log" | grep -v AF_UNIX)
    if echo "$exe" | grep -qE 'execve\("/usr/sbin/(useradd|runuser)"' && ! echo "$others" | grep -qv NETLINK_AUDIT; then
        continue
    fi
    BAD=1
    echo "FAIL: a socket other than AF_UNIX, pid $pid: $(echo "$exe" | cut -c1-200)" >&2
    echo "$others" | sed 's/^/    /' >&2
done
[ "$BAD" = 0 ]
echo "sockets: Chambers opened $(grep -c 'AF_UNIX' "$WORK/sockets.log" || true) sockets, all AF_UNIX"
step "package install test passed"
