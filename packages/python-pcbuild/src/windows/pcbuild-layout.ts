import { FileOperation, pathsFor } from '@fipskit/core';
import { PcbuildFacts, PCBUILD_MODULES } from './pcbuild-facts';

const win = pathsFor('win32');

/** A fipskit OpenSSL built for Windows x64 (`VC-WIN64A`), as `nmake install_sw install_fips` lays it out. */
export interface WindowsOpenSsl {
  /** `--prefix`: holds `bin\libcrypto-3-x64.dll`, `lib\libcrypto.lib`, `include\openssl\`, `lib\ossl-modules\fips.dll`. */
  prefix: string;
  /** e.g. `3.0.9`. */
  version: string;
  /**
   * OpenSSL's `applink.c`, for the CPython versions whose _ssl compiles it (3.11). `nmake install`
   * puts it in `include\openssl\` only when OpenSSL keeps uplink (windows-makefile.tmpl, install_dev);
   * for a `no-uplink` build give the source tree's `ms\applink.c`. Default: `<prefix>\include\openssl\applink.c`.
   *
   * `no-uplink` is the build to want: an uplink libcrypto looks for OPENSSL_Applink in the .exe
   * (ms\uplink.c, GetModuleHandle(NULL)); python.exe has none, so a FILE* handed to OpenSSL
   * (SSLContext.load_dh_params -> PEM_read_DHparams) ends the process. CPython 3.11's own build patches
   * uplink.c to look in _ssl.pyd (openssl.vcxproj `_PatchUplink`); 3.13 configures `no-uplink` instead.
   */
  applinkSource?: string;
}

/** Where PCbuild finds our OpenSSL: one directory for import libraries and DLLs, with `include\` inside it. */
export interface PcbuildOpenSslLayout {
  /** `<src>\externals\openssl-bin-<version>-fipskit`: fipskit's own, so it may be removed and staged afresh. */
  root: string;
  /** `opensslOutDir`, `<root>\amd64\`. Ends in a backslash: python.props appends `include` to it directly. */
  outDir: string;
  /** `opensslIncludeDir`, `<outDir>include`. */
  includeDir: string;
  /** `_DLLSuffix` of our DLLs: `-3-x64` for `libcrypto-3-x64.dll`. */
  dllSuffix: string;
  /** The DLL file names the modules import. */
  dlls: string[];
}

/**
 * OpenSSL 3 names its Windows DLLs `lib<name>-<major>` plus the target's multilib suffix, `-x64` for
 * VC-WIN64A (Configurations/10-main.conf). CPython's own builds drop the `-x64` (openssl.props: `-3`).
 */
export function openSslDllSuffix(version: string): string {
  const major = /^(\d+)\./.exec(version)?.[1];
  if (!major || Number(major) < 3) throw new Error(`OpenSSL ${version} has no FIPS provider: use OpenSSL 3.0 or later.`);
  return `-${major}-x64`;
}

export function pcbuildOpenSslLayout(sourceDir: string, openssl: WindowsOpenSsl): PcbuildOpenSslLayout {
  // Not CPython's own `openssl-bin-<version>` name: get_externals.bat fills that one with CPython's
  // patched binaries, and the two must never mix in one directory.
  const root = win.join(sourceDir, 'externals', `openssl-bin-${openssl.version}-fipskit`);
  const outDir = win.join(root, 'amd64') + win.sep;
  const dllSuffix = openSslDllSuffix(openssl.version);
  return {
    root,
    outDir,
    includeDir: win.join(outDir, 'include'),
    dllSuffix,
    dlls: [`libcrypto${dllSuffix}.dll`, `libssl${dllSuffix}.dll`],
  };
}

/**
 * Copies the OpenSSL install into the layout PCbuild expects (the recipe's step 8), so no CPython file
 * needs editing: `.lib` and the files openssl.props copies after each build (`.dll`, `.pdb`) side by side,
 * the headers under `include\openssl\`, and `applink.c` directly under `include\` where 3.11's
 * _ssl.vcxproj compiles `$(opensslIncludeDir)\applink.c` (OpenSSL installs it as `include\openssl\applink.c`).
 */
export function stageOpenSslForPcbuild(layout: PcbuildOpenSslLayout, openssl: WindowsOpenSsl, facts: PcbuildFacts): FileOperation[] {
  const { prefix } = openssl;
  const ops: FileOperation[] = [
    { op: 'remove', to: layout.root },
    { op: 'mkdir', to: win.join(layout.includeDir, 'openssl') },
  ];
  for (const lib of ['libcrypto.lib', 'libssl.lib']) {
    ops.push({ op: 'copy', from: win.join(prefix, 'lib', lib), to: win.join(layout.outDir, lib) });
  }
  // Exactly what _CopySSLDLL will look for, named with our suffix: a file it misses fails the build (MSB3030).
  for (const template of facts.copiedOpenSslFiles) {
    const name = template.replace('$(_DLLSuffix)', layout.dllSuffix);
    ops.push({ op: 'copy', from: win.join(prefix, 'bin', name), to: win.join(layout.outDir, name) });
  }
  ops.push({ op: 'copy', from: win.join(prefix, 'include', 'openssl', '*.h'), to: win.join(layout.includeDir, 'openssl') });
  if (PCBUILD_MODULES.some((module) => facts.modules[module].compilesApplink)) {
    const applink = openssl.applinkSource ?? win.join(prefix, 'include', 'openssl', 'applink.c');
    ops.push({ op: 'copy', from: applink, to: win.join(layout.includeDir, 'applink.c') });
  }
  // PCbuild never reads the provider. It is kept beside the DLLs it was built with, so the staged
  // directory is a whole OpenSSL runtime (OPENSSL_MODULES=<outDir>lib\ossl-modules) for trying the
  // modules from PCbuild\amd64 before they go into an installed Python.
  ops.push({ op: 'copy', from: win.join(prefix, 'lib', 'ossl-modules', 'fips.dll'), to: win.join(layout.outDir, 'lib', 'ossl-modules', 'fips.dll') });
  return ops;
}
