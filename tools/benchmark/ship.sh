#!/usr/bin/env bash
# Benchmark of shipping, every figure measured in this one run on this machine (after `nx run fips-python:build`):
#   package cold   `nx run fips-python:package` with an empty private Nx cache (the build's outputs as they are)
#   package warm   the same again, nothing changed (a cache hit)
#   by hand        what package does, with the bare tools: copy the Python and OpenSSL outputs, `tar -cf`, `gzip -6`
#                  and `zstd -10`: package cold is compared with it
#   sizes          the bundle (.tar.gz, .tar.zst, unpacked), the image archive
#   on a target    unpack, `bin/fipskit-setup`, the first Python start that computes SHA-256, `bin/fipskit-verify`,
#                  as another machine (its own host name and machine id: unshare --uts --mount, as root)
#   image cold     `nx run fips-python:image` with the Debian base already in fipskit's cache (made once, timed apart)
#   image warm     the same again (a cache hit)
#   container      podman run of the image: the entry point's fipskit-setup and a Python that computes SHA-256
# Never run it beside another build: it measures elapsed time on shared cores. The image part needs mmdebstrap, umoci,
# skopeo and podman (tools/install-build-deps.sh); FIPSKIT_BENCH_SKIP_IMAGE=1 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false FORCE_COLOR=0
work=$(mktemp -d /tmp/fipskit-bench-ship.XXXXXX)
trap 'rm -rf "$work"' EXIT
private_nx() { echo "NX_CACHE_DIRECTORY=$work/nx/cache NX_WORKSPACE_DATA_DIRECTORY=$work/nx/data"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
step() { echo "[bench] $*" >&2; }
ratio() { case "$1$2" in *skipped*) echo -;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }';; esac; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

[ -f dist/fips-python/verify/report.json ] || { echo "build fips-python first: npx nx run fips-python:build" >&2; exit 1; }

step "package cold"
rm -rf dist/fips-python/package
t=$(now); env $(private_nx) npx nx run fips-python:package --excludeTaskDependencies >"$work/package-cold.log" 2>&1; package_cold=$(since "$t")
step "package warm"
t=$(now); env $(private_nx) npx nx run fips-python:package --excludeTaskDependencies >"$work/package-warm.log" 2>&1; package_warm=$(since "$t")
node tools/run-ts.js tools/benchmark/breakdown.ts outcome "$work/package-warm.log" fips-python:package | grep -q 'cache' || { echo "the warm package run did not hit the cache" >&2; exit 1; }
tarball=$(ls dist/fips-python/package/*.tar.gz)
name=$(basename "$tarball" .tar.gz)

step "the same by hand: copy, tar, gzip, zstd"
t=$(now)
mkdir -p "$work/hand/$name"
cp -a dist/fips-python/python dist/fips-python/openssl "$work/hand/$name/"
tar -C "$work/hand" -cf "$work/hand.tar" "$name"
gzip -6 -c "$work/hand.tar" >"$work/hand.tar.gz"
zstd -q -10 -T0 "$work/hand.tar" -o "$work/hand.tar.zst"
by_hand=$(since "$t")

size_gz=$(stat -c %s "$tarball")
size_zst=$(stat -c %s "${tarball%.gz}.zst")

step "on another machine: unpack, fipskit-setup, first start, fipskit-verify"
target=$work/target
mkdir -p "$target"
printf '%s\n' 0123456789abcdef0123456789abcdef >"$work/machine-id"
on_target() { unshare --uts --mount --propagation private sh -c "hostname bench-target && mount --bind '$work/machine-id' /etc/machine-id && cd '$target/$name' && $1" >>"$work/target.log" 2>&1; }
t=$(now); tar -xzf "$tarball" -C "$target"; unpack=$(since "$t")
size_unpacked=$(du -sb --apparent-size "$target/$name" | cut -f1)
t=$(now); on_target 'bin/fipskit-setup --quiet'; setup=$(since "$t")
t=$(now); on_target "bin/python3 -c 'import hashlib; hashlib.sha256(b\"x\")'"; first_start=$(since "$t")
t=$(now); on_target 'bin/python3 -c pass'; bare_start=$(since "$t")
t=$(now); on_target 'bin/fipskit-verify --quiet'; target_verify=$(since "$t")

image_cold=skipped; image_warm=skipped; base=skipped; size_image=skipped; container=skipped
if [ -z "${FIPSKIT_BENCH_SKIP_IMAGE:-}" ]; then
  step "image: the Debian base once (kept in fipskit's cache), then cold and warm"
  # An empty fipskit cache of its own, so that the base is made here whatever the user's cache holds.
  t=$(now); env $(private_nx) FIPSKIT_CACHE_DIR="$work/fipskit-cache" npx nx run fips-python:image --excludeTaskDependencies >"$work/image-first.log" 2>&1 || { cat "$work/image-first.log" >&2; exit 1; }
  base=$(since "$t")
  rm -rf dist/fips-python/image
  t=$(now); env FIPSKIT_CACHE_DIR="$work/fipskit-cache" NX_CACHE_DIRECTORY="$work/nx2/cache" NX_WORKSPACE_DATA_DIRECTORY="$work/nx2/data" npx nx run fips-python:image --excludeTaskDependencies >"$work/image-cold.log" 2>&1; image_cold=$(since "$t")
  t=$(now); env FIPSKIT_CACHE_DIR="$work/fipskit-cache" NX_CACHE_DIRECTORY="$work/nx2/cache" NX_WORKSPACE_DATA_DIRECTORY="$work/nx2/data" npx nx run fips-python:image --excludeTaskDependencies >"$work/image-warm.log" 2>&1; image_warm=$(since "$t")
  archive=$(ls dist/fips-python/image/*.oci.tar)
  size_image=$(stat -c %s "$archive")
  reference=$(node -p "require('./dist/fips-python/image/image.json').reference")
  podman load -i "$archive" >/dev/null
  t=$(now)
  podman run --rm --runtime runc --cgroup-manager cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 "$reference" \
    python3 -c 'import hashlib; hashlib.sha256(b"x")' >>"$work/container.log" 2>&1
  container=$(since "$t")
  base=$(awk -v a="$base" -v b="$image_cold" 'BEGIN { printf "%.2f", a - b }')
fi

cat <<TABLE
machine: $(nproc) cores, $(. /etc/os-release; echo "$PRETTY_NAME"); bundle $name
| run | seconds | ratio |
|---|---|---|
| package cold \`nx run fips-python:package\` | $package_cold | $(ratio "$package_cold" "$by_hand") of by hand |
| package warm (cache hit) | $package_warm | $(ratio "$package_warm" "$package_cold") of cold |
| by hand: copy, tar, gzip -6, zstd -10 | $by_hand | 1.00 |
| on the target: unpack the .tar.gz | $unpack | |
| on the target: bin/fipskit-setup (fipsinstall, -verify, provider check) | $setup | |
| on the target: first start computing SHA-256 | $first_start | $(ratio "$first_start" "$bare_start") of a bare start ($bare_start s) |
| on the target: bin/fipskit-verify (every check, TLS, every file hashed) | $target_verify | |
| image: the Debian base, made once (mmdebstrap) | $base | |
| image cold \`nx run fips-python:image\` (base cached) | $image_cold | |
| image warm (cache hit) | $image_warm | $(ratio "$image_warm" "$image_cold") of cold |
| container start: entry point's fipskit-setup + Python computing SHA-256 | $container | |
| size | MiB | |
|---|---|---|
| bundle .tar.gz | $(mib "$size_gz") | |
| bundle .tar.zst | $(mib "$size_zst") | $(ratio "$size_zst" "$size_gz") of .tar.gz |
| bundle unpacked | $(mib "$size_unpacked") | |
| image archive (.oci.tar) | $(case $size_image in skipped) echo skipped;; *) mib "$size_image";; esac) | |
TABLE
