import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/**
 * Where downloaded source tarballs and fipskit's private apt state live, shared by every
 * workspace of the user: FIPSKIT_CACHE_DIR, else the platform's per-user cache directory.
 */
export function defaultSourceCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (env.FIPSKIT_CACHE_DIR) return env.FIPSKIT_CACHE_DIR;
  if (platform === 'win32') {
    const localAppData = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    return win32.join(localAppData, 'fipskit', 'cache');
  }
  const cacheHome = env.XDG_CACHE_HOME || posix.join(home, '.cache');
  return posix.join(cacheHome, 'fipskit');
}
