#!/usr/bin/env bash
# Debian/Ubuntu packages the builds and tests need: a C toolchain and perl for OpenSSL, the
# interpreter's headers for the overlay, libffi/zlib headers so a full CPython build has ctypes
# (the verifier uses it) and zlib. Installs only what is missing.
set -euo pipefail
packages=(build-essential perl xz-utils python3.11 python3.11-dev libffi-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "build dependencies present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} — install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
