#!/usr/bin/env bash
# Benchmark of the whole pipeline, every figure measured in this one run on this machine:
#   nx cold        `nx run fips-python:build` with an empty private Nx cache and no remote cache
#   nx warm        the same again, nothing changed (cache hits, sources and verify included)
#   nx offline     the warm run again in a network namespace with only loopback (unshare -n, as root): no Debian
#                  archive, no DNS; the sources stage uses the index it fetched before
#   config change  `nx run fips-python:fips-config --securityChecks=false`: fipsinstall again, OpenSSL from cache
#   remote fill    the cold run again with another empty private cache, filling a loopback remote cache
#   remote restore `nx run fips-python:build` in a fresh checkout at another path with its own empty local cache,
#                  restoring OpenSSL and the Python stage from the remote cache
#   installed      the packed packages installed into a fresh workspace, as a user has them (no remote cache, as
#                  `nx g fipskit:init` leaves it): cold, then warm, Nx's floor there, warm with the daemon; then cold
#                  again with an empty local cache, filling the loopback remote cache, and a copy of that workspace
#                  restoring from it (FIPSKIT_BENCH_SKIP_INSTALLED=1 leaves it out)
#   recipe         the recipe's steps with the bare tools: Configure enable-fips, make, make install_sw
#                  install_ssldirs install_docs install_fips, fipsinstall, and a full CPython build against it
#   necessary      only the commands the product needs, by hand: Configure enable-fips no-tests, make
#                  build_generated, make <libcrypto, libssl, fips and legacy providers, openssl> (what the openssl
#                  stage builds by default), fipsinstall, and the
#                  four compiler runs of the overlay (_ssl, _hashlib); run three times, right before the cold run,
#                  between it and the installed workspace's cold run, and right after that, because this machine's
#                  speed drifts by more than the 5 % the ratio is meant to resolve: each cold run is compared with
#                  the mean of the two runs beside it, all three are printed
#   full mode      `nx run fips-python-full:build` cold, in a copy of the workspace with one more project: the same
#                  OpenSSL and CPython source with `"mode": "full"` (a whole CPython built against the FIPS OpenSSL),
#                  compared with the recipe, which also builds a whole CPython
# Every cold run and every run of the necessary commands is timed twice: wall seconds, and the processor seconds
# (user + system) of its whole process tree. A busy neighbour on shared cores stretches the first, hardly the second:
# the ratios are given in both.
# Then a breakdown of the cold run next to the necessary commands, phase by phase, and of a warm run, stage by stage
# (tools/benchmark/breakdown.ts).
# Prints seconds and ratios. Never run it beside another build: it measures elapsed time on shared cores.
# FIPSKIT_BENCH_SKIP_RECIPE=1 leaves out the slow recipe run (about 10 minutes on 2 cores), FIPSKIT_BENCH_SKIP_FULL=1
# the full-mode run (about 8 minutes). FIPSKIT_BENCH_KEEP=1 keeps the work directory with every log.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/fipskit-bench.XXXXXX")
jobs=$(nproc)
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
private_nx() { echo "NX_CACHE_DIRECTORY=$work/$1/cache NX_WORKSPACE_DATA_DIRECTORY=$work/$1/data"; }

now() { date +%s.%N; }
# cpu_of FILE: the processor seconds (user + system, the whole process tree) /usr/bin/time wrote to FILE
cpu_of() { awk '{ printf "%.1f", $1 + $2 }' "$1"; }
cputime() { local out=$1; shift; /usr/bin/time -f '%U %S' -o "$out" "$@"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo "[bench] $*" >&2; }
# What Nx did with a task (local cache, remote cache, ran, …), read from its output without the colours Nx adds under
# CI=true or on a terminal (breakdown.ts outcome).
outcome() { node tools/run-ts.js tools/benchmark/breakdown.ts outcome "$1" "fips-python:$2"; }

# A self-hosted Nx remote cache (GET/PUT /v1/cache/{hash}) on loopback, for the cold run to fill.
node tools/run-ts.js e2e/support/remote-cache-server.ts >"$work/remote.url" 2>"$work/remote.log" &
server=$!
trap 'kill $server 2>/dev/null; if [ -n "${FIPSKIT_BENCH_KEEP:-}" ]; then echo "[bench] logs kept in $work" >&2; else rm -rf "$work"; fi' EXIT
for _ in $(seq 50); do [ -s "$work/remote.url" ] && break; sleep 0.2; done
export NX_SELF_HOSTED_REMOTE_CACHE_SERVER=$(cat "$work/remote.url")

tarball_of() {
  local lock=dist/fips-python/sources/$1.source.json
  ls "${FIPSKIT_CACHE_DIR:-$HOME/.cache/fipskit}/sha256/$(node -p "require('./$lock').sha256")/$(node -p "require('./$lock').fileName")"
}

# openssl_by_hand NAME CONFIGURE_ARGS... -- MAKE_TARGETS... -- INSTALL_TARGETS...   (prints seconds; prefix in $work/NAME-prefix)
openssl_by_hand() {
  local name=$1; shift
  local dir=$work/$name prefix=$work/$name-prefix
  local configure=() make_targets=() install_targets=()
  while [ "$1" != -- ]; do configure+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do make_targets+=("$1"); shift; done; shift
  install_targets=("$@")
  local t p; t=$(now)
  phase() { echo "$1	$(since "$p")" >>"$work/$name.phases"; p=$(now); }
  p=$t
  mkdir -p "$dir"; tar xzf "$openssl_tgz" -C "$dir" --strip-components=1; cd "$dir"; phase "openssl unpack"
  ./Configure enable-fips "${configure[@]}" --prefix="$prefix" --openssldir="$prefix/ssl" --libdir=lib >"$work/$name.log" 2>&1; phase "openssl Configure"
  if [ "${name#necessary}" != "$name" ]; then make -j"$jobs" build_generated >>"$work/$name.log" 2>&1; phase "openssl build_generated"; fi
  make -j"$jobs" "${make_targets[@]}" >>"$work/$name.log" 2>&1; phase "openssl make"
  if [ ${#install_targets[@]} -gt 0 ]; then make "${install_targets[@]}" >>"$work/$name.log" 2>&1; phase "openssl install"; fi
  LD_LIBRARY_PATH=$dir ./apps/openssl fipsinstall -module providers/fips.so -out "$work/$name-fipsmodule.cnf" >>"$work/$name.log" 2>&1; phase fipsinstall
  since "$t"
  cd "$root"
}

# necessary_by_hand NAME: only the commands the product needs (prints seconds; phases in $work/NAME.phases)
necessary_by_hand() {
  local name=$1 t t2 openssl_s python_s
  # What the product builds by default: the legacy provider module is among it (legacyProvider, for programs that load
  # it themselves), so it is built here too.
  openssl_s=$(openssl_by_hand "$name" no-tests -- libcrypto.so.3 libssl.so.3 providers/fips.so providers/legacy.so apps/openssl --)
  t=$(now)
  local py=$work/$name-overlay prefix=$work/$name
  mkdir -p "$py/src" "$py/out/ext"
  tar xzf "$cpython_tgz" -C "$py/src" --strip-components=1 --wildcards '*/Modules/*'
  echo "python unpack	$(since "$t")" >>"$work/$name.phases"; t2=$(now)
  printf '#include <pyconfig.h>\n#undef HAVE_BLUETOOTH_BLUETOOTH_H\n#undef HAVE_BLUETOOTH_H\n' >"$py/fix.h"
  local cflags=(-std=c11 -O2 -g -fwrapv -DNDEBUG -Wall -fvisibility=hidden -fPIC -I "$prefix/include" -I /usr/include/python3.11)
  {
    cc "${cflags[@]}" -include "$py/fix.h" -c "$py/src/Modules/_ssl.c" -o "$py/_ssl.o"
    cc -shared -o "$py/out/_ssl.so" "$py/_ssl.o" -L "$prefix" '-Wl,--disable-new-dtags,-rpath,$ORIGIN/x' -l:libssl.so.3 -l:libcrypto.so.3
    cc "${cflags[@]}" -DPy_BUILD_CORE_MODULE -I /usr/include/python3.11/internal -c "$py/src/Modules/_hashopenssl.c" -o "$py/_hashopenssl.o"
    cc -shared -o "$py/out/ext/_hashlib.so" "$py/_hashopenssl.o" -L "$prefix" '-Wl,--disable-new-dtags,-rpath,$ORIGIN/x' -l:libcrypto.so.3
  } >>"$work/$name.log" 2>&1
  echo "python compile	$(since "$t2")" >>"$work/$name.phases"
  python_s=$(since "$t")
  awk -v a="$openssl_s" -v b="$python_s" 'BEGIN { printf "%.1f", a + b }'
}

# The bare commands need the locked tarballs: the sources stage resolves them (it is never cached), the content
# cache of an earlier build holds them. On a machine that never built, the first measurement waits for the end.
env $(private_nx a) npx nx run fips-python:sources >"$work/sources.log" 2>&1 || { cat "$work/sources.log" >&2; exit 1; }
# necessary NAME: the necessary commands by hand, their wall seconds printed, their processor seconds in $work/NAME.cpu
necessary() {
  step "necessary commands by hand, $2 (log: $work/$1.log)"
  export -f necessary_by_hand openssl_by_hand now since
  export work jobs root openssl_tgz cpython_tgz
  cputime "$work/$1.time" bash -c 'set -euo pipefail; necessary_by_hand "$1" >"$work/$1.wall"' _ "$1"
  cpu_of "$work/$1.time" >"$work/$1.cpu"
  cat "$work/$1.wall"
}
necessary_before=skipped
if openssl_tgz=$(tarball_of openssl 2>/dev/null) && cpython_tgz=$(tarball_of cpython 2>/dev/null); then
  necessary_before=$(necessary necessary-before "right before the cold run")
fi

step "nx cold (log: $work/nx-cold.log)"
# Without a remote cache, as a workspace has one until it is set up (the remote cache's upload is measured below).
local_only=(env -u NX_SELF_HOSTED_REMOTE_CACHE_SERVER)
rm -rf dist/fips-python tmp/fipskit/fips-python
# Every line stamped with the seconds since the start, for the breakdown.
t=$(now)
cputime "$work/nx-cold.time" "${local_only[@]}" $(private_nx a) npx nx run fips-python:build 2>&1 | node tools/run-ts.js tools/benchmark/breakdown.ts stamp "$t" >"$work/nx-cold.log"
nx_cold=$(since "$t"); nx_cold_cpu=$(cpu_of "$work/nx-cold.time")
step "nx warm"
t=$(now); "${local_only[@]}" $(private_nx a) npx nx run fips-python:build >"$work/nx-warm.log" 2>&1; nx_warm=$(since "$t")
outcome "$work/nx-warm.log" openssl | grep -q 'cache' || { echo "warm run did not hit the cache" >&2; exit 1; }
# Once more, every line stamped, for the warm breakdown (the stamping is not in the measured run).
t=$(now); "${local_only[@]}" $(private_nx a) npx nx run fips-python:build 2>&1 | node tools/run-ts.js tools/benchmark/breakdown.ts stamp "$t" >"$work/nx-warm-stamped.log"
nx_offline=skipped
if unshare -n true 2>/dev/null; then
  step "nx warm, offline (only loopback)"
  # The loopback remote cache is outside the namespace: this run uses the local cache only, as an offline machine does.
  t=$(now)
  env -u NX_SELF_HOSTED_REMOTE_CACHE_SERVER $(private_nx a) unshare -n sh -c 'ip link set lo up && exec npx nx run fips-python:build' >"$work/nx-offline.log" 2>&1
  nx_offline=$(since "$t")
  grep -q "using Debian's source index fetched" "$work/nx-offline.log" || { echo "the offline run did not say which index it used" >&2; exit 1; }
fi
step "config-only change"
t=$(now); "${local_only[@]}" $(private_nx a) npx nx run fips-python:fips-config --securityChecks=false >"$work/nx-config.log" 2>&1; nx_config=$(since "$t")
"${local_only[@]}" $(private_nx a) npx nx run fips-python:fips-config >/dev/null 2>&1

# A team's first build: cold again with an empty local cache, filling the loopback remote cache (what the upload
# costs is the difference to the cold run above).
step "nx cold again, filling a remote cache (log: $work/nx-cold-remote.log)"
rm -rf dist/fips-python tmp/fipskit/fips-python
t=$(now); env $(private_nx f) npx nx run fips-python:build >"$work/nx-cold-remote.log" 2>&1; nx_cold_remote=$(since "$t")

step "remote restore in a fresh checkout"
checkout=$work/checkout
mkdir -p "$checkout"
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$checkout" 2>/dev/null || true
cp -a node_modules "$checkout/"
t=$(now); (cd "$checkout" && env $(private_nx b) npx nx run fips-python:build >"$work/nx-remote.log" 2>&1); nx_remote=$(since "$t")
outcome "$work/nx-remote.log" openssl | grep -q 'remote cache' || { echo "the fresh checkout did not restore OpenSSL from the remote cache" >&2; exit 1; }

# The product as users get it: the packed packages (compiled JavaScript) installed from their tarballs into a fresh
# workspace with this repository's Nx, the committed project's fipskit.json, nx g fipskit:init; cold, then warm.
# In this repository the plugin and the executors are TypeScript workspace packages: Nx scans the workspace's projects
# to resolve a local plugin and compiles each executor on load, which a user's workspace does not do.
necessary_mid=skipped; necessary_after=skipped; installed_cold_cpu=skipped
installed_cold=skipped; installed_cold_remote=skipped; installed_warm=skipped; installed_floor=skipped; installed_daemon=skipped; installed_remote=skipped
if [ -z "${FIPSKIT_BENCH_SKIP_INSTALLED:-}" ]; then
  step "the packed packages installed in a fresh workspace (log: $work/installed.log)"
  user=$work/user
  mkdir -p "$user/fips-python"
  {
    npm run -s pack:packages
    (cd "$user" && echo '{ "name": "user-workspace", "private": true }' >package.json && echo '{}' >nx.json &&
      npm install --no-audit --no-fund --loglevel=error --save-dev "nx@$(node -p "require('nx/package.json').version")" "$root"/dist/packages/*.tgz &&
      env $(private_nx u) npx nx g fipskit:init --no-interactive)
  } >"$work/installed.log" 2>&1
  cp fips-python/fipskit.json "$user/fips-python/fipskit.json"
  openssl_tgz=$(tarball_of openssl); cpython_tgz=$(tarball_of cpython)
  necessary_mid=$(necessary necessary-mid "between the two cold runs")
  step "installed: nx cold (log: $work/installed-cold.log)"
  t=$(now)
  (cd "$user" && cputime "$work/installed-cold.time" "${local_only[@]}" $(private_nx u) npx nx run fips-python:build 2>&1 |
    node "$root/tools/run-ts.js" "$root/tools/benchmark/breakdown.ts" stamp "$t" >"$work/installed-cold.log")
  installed_cold=$(since "$t"); installed_cold_cpu=$(cpu_of "$work/installed-cold.time")
  necessary_after=$(necessary necessary-after "right after the installed workspace's cold run")
  t=$(now); (cd "$user" && "${local_only[@]}" $(private_nx u) npx nx run fips-python:build >"$work/installed-warm.log" 2>&1); installed_warm=$(since "$t")
  outcome "$work/installed-warm.log" openssl | grep -q 'cache' || { echo "the installed workspace's warm run did not hit the cache" >&2; exit 1; }
  # Nx's own floor there: the same command with the stages left out (build itself is a no-op target).
  t=$(now); (cd "$user" && "${local_only[@]}" $(private_nx u) npx nx run fips-python:build --excludeTaskDependencies >/dev/null 2>&1); installed_floor=$(since "$t")
  # With the Nx daemon, as Nx runs on a developer's machine by default (CI turns it off): the second run is measured.
  (cd "$user" && "${local_only[@]}" $(private_nx u) NX_DAEMON=true npx nx run fips-python:build >/dev/null 2>&1)
  t=$(now); (cd "$user" && "${local_only[@]}" $(private_nx u) NX_DAEMON=true npx nx run fips-python:build >"$work/installed-daemon.log" 2>&1); installed_daemon=$(since "$t")
  (cd "$user" && env $(private_nx u) npx nx daemon --stop >/dev/null 2>&1) || true
  # A team's first build: cold again with an empty local cache, filling the loopback remote cache (what uploading
  # costs is the difference to the cold run above).
  step "installed: nx cold, filling a remote cache (log: $work/installed-cold-remote.log)"
  rm -rf "$user/dist" "$user/tmp"
  t=$(now); (cd "$user" && env $(private_nx w) npx nx run fips-python:build >"$work/installed-cold-remote.log" 2>&1); installed_cold_remote=$(since "$t")
  # Another user's copy of that workspace at another path, with its own empty local cache: the stages come from the
  # remote cache that run filled; fips-config (bound to this machine and checkout) and verify (its evidence names
  # this checkout) run there.
  step "installed: remote-cache restore in a copy of the workspace"
  user2=$work/user2
  mkdir -p "$user2"
  (cd "$user" && tar cf - --exclude=./dist --exclude=./tmp --exclude=./.nx .) | (cd "$user2" && tar xf -)
  t=$(now); (cd "$user2" && env $(private_nx v) npx nx run fips-python:build >"$work/installed-remote.log" 2>&1); installed_remote=$(since "$t")
  outcome "$work/installed-remote.log" openssl | grep -q 'remote cache' || { echo "the copy of the workspace did not restore OpenSSL from the remote cache" >&2; exit 1; }
  # No build stage ran there: a run leaves its build directory and log under tmp/fipskit/<project>/<stage>.
  for stage in openssl python; do
    if [ -e "$user2/tmp/fipskit/fips-python/$stage" ]; then echo "the copy of the workspace ran the $stage stage" >&2; exit 1; fi
  done
fi
unset NX_SELF_HOSTED_REMOTE_CACHE_SERVER

openssl_tgz=$(tarball_of openssl)
cpython_tgz=$(tarball_of cpython)

recipe=skipped; recipe_openssl=skipped; recipe_python=skipped
if [ -z "${FIPSKIT_BENCH_SKIP_RECIPE:-}" ]; then
  step "recipe by hand: OpenSSL (log: $work/recipe.log)"
  recipe_openssl=$(openssl_by_hand recipe -- -- install_sw install_ssldirs install_docs install_fips)
  step "recipe by hand: CPython against it (log: $work/recipe-python.log)"
  t=$(now)
  mkdir -p "$work/cpython"; tar xzf "$cpython_tgz" -C "$work/cpython" --strip-components=1
  (cd "$work/cpython" && ./configure --with-openssl="$work/recipe-prefix" --prefix="$work/cpython-prefix" >"$work/recipe-python.log" 2>&1 &&
    make -j"$jobs" >>"$work/recipe-python.log" 2>&1 && make altinstall >>"$work/recipe-python.log" 2>&1)
  recipe_python=$(since "$t")
  recipe=$(awk -v a="$recipe_openssl" -v b="$recipe_python" 'BEGIN { printf "%.1f", a + b }')
fi

full=skipped; full_stages=
if [ -z "${FIPSKIT_BENCH_SKIP_FULL:-}" ]; then
  step "full mode cold, in the fresh checkout with its own empty cache (log: $work/nx-full.log)"
  # The committed project's sources and profile, with the whole CPython built instead of the overlay.
  mkdir -p "$checkout/fips-python-full"
  node -e '
    const p = require(process.argv[1]);
    delete p.interpreter;
    p.mode = "full";
    require("fs").writeFileSync(process.argv[2], JSON.stringify(p, null, 2));
  ' "$root/fips-python/fipskit.json" "$checkout/fips-python-full/fipskit.json"
  t=$(now); (cd "$checkout" && env $(private_nx c) npx nx run fips-python-full:build >"$work/nx-full.log" 2>&1); full=$(since "$t")
  grep -q 'FIPS mode: IN FORCE' "$work/nx-full.log" || { echo "the full-mode build did not prove FIPS mode" >&2; exit 1; }
  # Each stage's own timing line, to set the python stage (a whole CPython) beside the recipe's CPython build.
  full_stages=$(grep -E '^\[(openssl|python)\] took ' "$work/nx-full.log" | sed 's/^/    /')
fi

# Without the installed workspace, the second run of the necessary commands comes at the end.
[ "$necessary_after" != skipped ] || necessary_after=$(necessary necessary-after "at the end")
# A run of the necessary commands' wall or processor seconds, or `skipped` when it did not run.
wall() { if [ -f "$work/$1.wall" ]; then cat "$work/$1.wall"; else echo skipped; fi; }
cpu() { if [ -f "$work/$1.cpu" ]; then cat "$work/$1.cpu"; else echo skipped; fi; }
# The mean of the figures given, leaving out skipped ones; `skipped` when none is left.
mean() { printf '%s\n' "$@" | awk '$1 != "skipped" { sum += $1; n++ } END { if (n) printf "%.1f", sum / n; else print "skipped" }'; }
# The repository's cold run against the runs beside it (before it, and between it and the installed workspace's);
# the installed workspace's against the two beside it.
if [ "$necessary_mid" = skipped ]; then repo_pair=(necessary-before necessary-after); else repo_pair=(necessary-before necessary-mid); fi
necessary=$(mean "$(wall "${repo_pair[0]}")" "$(wall "${repo_pair[1]}")")
necessary_cpu=$(mean "$(cpu "${repo_pair[0]}")" "$(cpu "${repo_pair[1]}")")
installed_necessary=$(mean "$(wall necessary-mid)" "$(wall necessary-after)")
installed_necessary_cpu=$(mean "$(cpu necessary-mid)" "$(cpu necessary-after)")
phases=()
for run in "${repo_pair[@]}"; do [ -f "$work/$run.phases" ] && phases+=("$work/$run.phases"); done
installed_phases=()
for run in necessary-mid necessary-after; do [ -f "$work/$run.phases" ] && installed_phases+=("$work/$run.phases"); done

installed_block=
[ "$installed_cold" = skipped ] || installed_block=$(printf '\nWhere the cold run in the user'"'"'s workspace spends its time, next to the necessary commands run beside it (seconds):\n%s\n' \
  "$(node tools/run-ts.js tools/benchmark/breakdown.ts table "$work/installed-cold.log" "${installed_phases[@]}")")
full_block=
[ -z "$full_stages" ] || full_block=$(printf 'Full mode, each stage timing itself:\n%s\n' "$full_stages")
ratio() { case "$1$2" in *skipped*) echo -;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }';; esac; }
cat <<TABLE
machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"); OpenSSL $(node -p "require('./dist/fips-python/sources/openssl.source.json').version"), CPython $(node -p "require('./dist/fips-python/sources/cpython.source.json').version")
| run | seconds | ratio to nx cold |
|---|---|---|
| nx cold \`nx run fips-python:build\` (no remote cache) | $nx_cold | 1.00 |
| nx cold again, filling a remote cache | $nx_cold_remote | $(ratio "$nx_cold_remote" "$nx_cold") |
| nx warm, nothing changed | $nx_warm | $(ratio "$nx_warm" "$nx_cold") |
| nx warm, offline (only loopback) | $nx_offline | $(ratio "$nx_offline" "$nx_cold") |
| config-only change (fips-config reruns) | $nx_config | $(ratio "$nx_config" "$nx_cold") |
| remote-cache restore in a fresh checkout | $nx_remote | $(ratio "$nx_remote" "$nx_cold_remote") (to the cold that filled it) |
| installed packages in a user's workspace: nx cold | $installed_cold | $(ratio "$installed_cold" "$nx_cold") |
| installed packages in a user's workspace: nx warm, nothing changed | $installed_warm | $(ratio "$installed_warm" "$installed_cold") (to its cold) |
| installed packages: nx warm with the Nx daemon (a developer's default) | $installed_daemon | $(ratio "$installed_daemon" "$installed_cold") (to its cold) |
| installed packages: Nx's floor, \`nx run fips-python:build --excludeTaskDependencies\` (no stage runs) | $installed_floor | $(ratio "$installed_floor" "$installed_cold") (to its cold) |
| installed packages: nx cold again, filling a remote cache | $installed_cold_remote | $(ratio "$installed_cold_remote" "$installed_cold") (to its cold) |
| installed packages: remote-cache restore in a copy of the workspace (no compiler run) | $installed_remote | $(ratio "$installed_remote" "$installed_cold_remote") (to the cold that filled it) |
| recipe by hand (OpenSSL make + install_docs, full CPython build) | $recipe | $(ratio "$recipe" "$nx_cold") |
| of which OpenSSL (Configure, make with tests, install with docs, fipsinstall) | $recipe_openssl | $(ratio "$recipe_openssl" "$recipe") of the recipe |
| of which CPython (configure, make, make altinstall) | $recipe_python | $(ratio "$recipe_python" "$recipe") of the recipe |
| full mode cold \`nx run fips-python-full:build\` (a whole CPython) | $full | $(ratio "$full" "$nx_cold") |
| necessary commands by hand (targeted OpenSSL, overlay compiles), right before the cold run | $necessary_before | $(ratio "$necessary_before" "$nx_cold") |
| the same between the two cold runs | $necessary_mid | $(ratio "$necessary_mid" "$nx_cold") |
| the same right after the installed workspace's cold run (or at the end) | $necessary_after | $(ratio "$necessary_after" "$nx_cold") |

Cold runs against the necessary commands run beside them (wall seconds; processor seconds, user + system, of the
whole process tree):
| run | wall | necessary, wall | ratio | processor | necessary, processor | ratio |
|---|---|---|---|---|---|---|
| this repository: nx cold (no remote cache) | $nx_cold | $necessary | **$(ratio "$nx_cold" "$necessary")** | $nx_cold_cpu | $necessary_cpu | **$(ratio "$nx_cold_cpu" "$necessary_cpu")** |
| a user's workspace: nx cold (no remote cache) | $installed_cold | $installed_necessary | **$(ratio "$installed_cold" "$installed_necessary")** | $installed_cold_cpu | $installed_necessary_cpu | **$(ratio "$installed_cold_cpu" "$installed_necessary_cpu")** |
| the necessary commands' own spread (processor seconds of each run) | | | | $(cpu necessary-before) / $(cpu necessary-mid) / $(cpu necessary-after) | | |

nx cold / recipe: $(ratio "$nx_cold" "$recipe")   full mode cold / recipe: $(ratio "$full" "$recipe")
installed warm − Nx's floor: $(case "$installed_warm$installed_floor" in *skipped*) echo -;; *) awk -v a="$installed_warm" -v b="$installed_floor" 'BEGIN { printf "%.1f s", a - b }';; esac)
$full_block
Where the cold run's time goes, next to the necessary commands run beside it (seconds):
$(node tools/run-ts.js tools/benchmark/breakdown.ts table "$work/nx-cold.log" "${phases[@]}")
$installed_block

Where a warm run's time goes (nothing changed; a second warm run, every line stamped):
$(node tools/run-ts.js tools/benchmark/breakdown.ts table "$work/nx-warm-stamped.log")
TABLE
