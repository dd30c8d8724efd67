#!/usr/bin/env bash
# Benchmark of the OpenSSL stages, all measured in one run on this machine:
#   nx cold   `nx run fips-python:fips-config` with an empty, private Nx cache
#   nx warm   the same command again (cache hit)
#   recipe    the recipe's steps by hand: Configure enable-fips, make, make install_sw install_ssldirs
#             install_docs install_fips, openssl fipsinstall
#   bare      only the commands the product needs, by hand: Configure enable-fips no-tests no-legacy,
#             make build_generated, make <libcrypto, libssl, fips provider, openssl>, openssl fipsinstall
# Prints seconds and the ratios against nx cold. Never run it beside another build: it measures CPU time.
# FIPSKIT_BENCH_SKIP_RECIPE=1 leaves out the slow recipe run (about 7.5 minutes here).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/fipskit-bench.XXXXXX")
jobs=$(nproc)
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
export NX_CACHE_DIRECTORY=$work/nx-cache NX_WORKSPACE_DATA_DIRECTORY=$work/nx-data

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo "[bench] $*" >&2; }

step "nx cold (log: $work/nx-cold.log)"
rm -rf dist/fips-python
t=$(now); npx nx run fips-python:fips-config >"$work/nx-cold.log" 2>&1; nx_cold=$(since "$t")
step "nx warm"
t=$(now); npx nx run fips-python:fips-config >"$work/nx-warm.log" 2>&1; nx_warm=$(since "$t")
grep -q 'fips-python:openssl  \[' "$work/nx-warm.log" || { echo "warm run was not a cache hit" >&2; exit 1; }

lock=dist/fips-python/sources/openssl.source.json
sha=$(node -p "require('./$lock').sha256")
file=$(node -p "require('./$lock').fileName")
tarball=$(ls "${FIPSKIT_CACHE_DIR:-$HOME/.cache/fipskit}"/sha256/"$sha"/"$file")

# by_hand NAME CONFIGURE_ARGS... -- MAKE_TARGETS... -- INSTALL_TARGETS...
by_hand() {
  local name=$1; shift
  local dir=$work/$name prefix=$work/$name-prefix
  mkdir -p "$dir"; tar xzf "$tarball" -C "$dir" --strip-components=1; cd "$dir"
  local t; t=$(now)
  local configure=() make_targets=() install_targets=()
  while [ "$1" != -- ]; do configure+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do make_targets+=("$1"); shift; done; shift
  install_targets=("$@")
  ./Configure enable-fips "${configure[@]}" --prefix="$prefix" --openssldir="$prefix/ssl" --libdir=lib >"$work/$name.log" 2>&1
  if [ "$name" = bare ]; then make build_generated >>"$work/$name.log" 2>&1; fi
  make -j"$jobs" "${make_targets[@]}" >>"$work/$name.log" 2>&1
  if [ ${#install_targets[@]} -gt 0 ]; then make "${install_targets[@]}" >>"$work/$name.log" 2>&1; fi
  LD_LIBRARY_PATH=$dir ./apps/openssl fipsinstall -module providers/fips.so -out "$work/$name-fipsmodule.cnf" >>"$work/$name.log" 2>&1
  since "$t"
  cd "$root"
}

recipe=skipped
if [ -z "${FIPSKIT_BENCH_SKIP_RECIPE:-}" ]; then
  step "recipe by hand (log: $work/recipe.log)"
  recipe=$(by_hand recipe -- -- install_sw install_ssldirs install_docs install_fips)
fi
step "bare necessary commands by hand (log: $work/bare.log)"
bare=$(by_hand bare no-tests no-legacy -- libcrypto.so.3 libssl.so.3 providers/fips.so apps/openssl --)

ratio() { case "$1$2" in *skipped*) echo -;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }';; esac; }
cat <<TABLE
machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), OpenSSL $(node -p "require('./$lock').version")
| run | seconds | ratio to nx cold |
|---|---|---|
| nx cold (sources → openssl → fips-config) | $nx_cold | 1.00 |
| nx warm (cache hit) | $nx_warm | $(ratio "$nx_warm" "$nx_cold") |
| recipe by hand (make + install_docs) | $recipe | $(ratio "$recipe" "$nx_cold") |
| necessary commands by hand | $bare | $(ratio "$bare" "$nx_cold") |
nx cold / recipe: $(ratio "$nx_cold" "$recipe")   nx cold / necessary commands: $(ratio "$nx_cold" "$bare")
TABLE
rm -rf "$work"
