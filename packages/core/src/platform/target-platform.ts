import * as path from 'node:path';

/** The operating system a build is for. Plans can be made for any of them on any host. */
export type TargetPlatform = 'linux' | 'darwin' | 'win32';
export type TargetArch = 'x64' | 'arm64';

export function hostPlatform(): TargetPlatform {
  if (process.platform === 'win32' || process.platform === 'darwin') return process.platform;
  return 'linux';
}

export function hostArch(): TargetArch {
  return process.arch === 'arm64' ? 'arm64' : 'x64';
}

/** Path functions that follow the target's rules, so a Windows plan made on Linux uses backslashes. */
export function pathsFor(platform: TargetPlatform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Shared-library naming and search-path variable per platform. */
export function sharedLibraryConvention(platform: TargetPlatform): { libraryPathVar: string; moduleExt: string } {
  switch (platform) {
    case 'win32':
      return { libraryPathVar: 'PATH', moduleExt: '.dll' };
    case 'darwin':
      return { libraryPathVar: 'DYLD_LIBRARY_PATH', moduleExt: '.dylib' };
    default:
      return { libraryPathVar: 'LD_LIBRARY_PATH', moduleExt: '.so' };
  }
}
