import { defaultSourceCacheDir } from './cache-dir';

describe('defaultSourceCacheDir', () => {
  it.each([
    ['FIPSKIT_CACHE_DIR wins everywhere', { FIPSKIT_CACHE_DIR: '/ci/cache', XDG_CACHE_HOME: '/x' }, 'linux', '/ci/cache'],
    ['Windows uses LOCALAPPDATA', { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, 'win32', 'C:\\Users\\ada\\AppData\\Local\\fipskit\\cache'],
    ['Windows without LOCALAPPDATA falls back to the profile', {}, 'win32', 'C:\\Users\\ada\\AppData\\Local\\fipskit\\cache'],
    ['XDG_CACHE_HOME on POSIX', { XDG_CACHE_HOME: '/home/ada/.xdg' }, 'linux', '/home/ada/.xdg/fipskit'],
    ['~/.cache otherwise', {}, 'darwin', '/home/ada/.cache/fipskit'],
  ] as const)('%s', (_name, env, platform, expected) => {
    const home = platform === 'win32' ? 'C:\\Users\\ada' : '/home/ada';
    expect(defaultSourceCacheDir(env, platform, home)).toBe(expected);
  });

  it('treats an empty variable as unset', () => {
    expect(defaultSourceCacheDir({ FIPSKIT_CACHE_DIR: '', XDG_CACHE_HOME: '' }, 'linux', '/home/ada')).toBe('/home/ada/.cache/fipskit');
  });
});
