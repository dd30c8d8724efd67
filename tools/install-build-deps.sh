#!/usr/bin/env bash
# Debian packages the builds and tests need (Debian 12; installs only what is missing):
# - a C toolchain and perl for OpenSSL; the interpreter's headers for the overlay; libffi/zlib headers so a
#   full CPython build has ctypes (the verifier uses it) and zlib;
# - python3.11-venv with the pip/setuptools/wheel wheels: venvs made from the FIPS Python, and pip's build
#   isolation inside one (e2e); python3-cryptography, the distribution build the FIPS Python must run;
# - MinGW-w64 and wine64 for the Windows build of OpenSSL the Wine tests run (e2e/wine);
# - chromium, which renders evidence.html for the browser test (auditor-report.browser.spec.ts);
# - apt-utils (apt-ftparchive) and gnupg: the signed Debian-format archive on loopback the sources fallback tests use;
# - python3.11's packages brought up to the archive's current version (as root; see below);
# - zstd for the bundle's .tar.zst; mmdebstrap, umoci and skopeo for the image target (a Debian base from the
#   archive, the OCI layout, the archive); podman with runc, which runs that image in the tests;
# - libpython3.11-testsuite: CPython's own regression tests, run on Debian's interpreter and on the FIPS Pythons
#   (e2e/cpython-regrtest.e2e.ts).
set -euo pipefail
packages=(
  build-essential perl xz-utils python3.11 python3.11-dev libffi-dev zlib1g-dev
  python3.11-venv python3-wheel-whl python3-cryptography
  gcc-mingw-w64-x86-64-win32 wine64
  chromium
  apt-utils gnupg
  zstd mmdebstrap umoci skopeo podman runc
  libpython3.11-testsuite
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The interpreter the committed project puts in FIPS mode, at the version Debian's archive serves now (its security
# updates): an overlay bundle's image installs exactly the interpreter packages the bundle was built against, and the
# archive serves only a release's current versions.
interpreter=$(dpkg-query -W -f='${binary:Package} ${source:Package} ${Status}\n' 2>/dev/null | awk '$2 == "python3.11" && / installed$/ { print $1 }')
if [ "$(id -u)" -eq 0 ] && [ -n "$interpreter" ]; then
  apt-get update -qq
  outdated=()
  for p in $interpreter; do
    policy=$(apt-cache policy "$p")
    installed=$(echo "$policy" | awk '/Installed:/ { print $2 }')
    candidate=$(echo "$policy" | awk '/Candidate:/ { print $2 }')
    [ "$installed" = "$candidate" ] || outdated+=("$p")
  done
  if [ ${#outdated[@]} -gt 0 ]; then
    echo "bringing python3.11 up to date with Debian's archive: ${outdated[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --only-upgrade "${outdated[@]}"
  fi
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "build dependencies present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} — install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
