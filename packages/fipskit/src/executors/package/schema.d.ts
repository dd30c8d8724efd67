import type { FipsProfile } from '@fipskit/core';

/**
 * Packs the FIPS Python for the machines it runs on: a relocatable tree with the Python, the OpenSSL libraries, the FIPS
 * provider, the openssl program, fipskit's runtime and verification, and two entry points that need nothing but the
 * bundle (no Node.js, no Nx): `bin/fipskit-setup` runs `openssl fipsinstall` on the target and writes its FIPS
 * configuration, `bin/fipskit-verify` proves FIPS mode there. The build machine's FIPS configuration is never packed:
 * OpenSSL's security policy says fipsinstall output must not be copied between machines. A Windows (pcbuild) project
 * packs `<name>-<version>-win-amd64.zip` instead, whose `install.cmd` and `restore.cmd` put an installed
 * python.org Python in FIPS mode and back.
 * @title Package
 */
export interface PackageOptions {
  /** The python stage's output (the FIPS Python to pack). */
  pythonPath: string;
  /** The openssl stage's output (libraries, FIPS provider, openssl program). */
  opensslPath: string;
  /**
   * Where the fips-config stage writes on the build machine. Never read: the bundle keeps the same place relative to
   * the Python empty, and fipskit-setup writes the target's configuration there.
   */
  fipsConfigPath: string;
  /** Where the bundle and its manifest are written. */
  outputPath: string;
  /** The bundle's name, the start of its file name (`<name>-<python version>-<os>-<arch>`). Default: the project's name. */
  name?: string;
  /**
   * The FIPS configuration profile fipskit-setup writes on the target (see docs/verification.md, Profiles).
   * @default "rhel-compatible"
   */
  profile?: FipsProfile;
  /**
   * Run-time security checks of the FIPS provider, as fips-config's option of the same name.
   * @default true
   */
  securityChecks?: boolean;
  /**
   * Also write `<bundle>.tar.zst` with zstd (Debian's `zstd` program), when it is installed.
   * @default true
   */
  zstd?: boolean;
}
