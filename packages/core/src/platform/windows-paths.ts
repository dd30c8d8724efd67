import { spawnSync } from 'node:child_process';
import { TextDecoder } from 'node:util';

/** Windows' MAX_PATH: programs that do not opt into long paths (openssl.exe among them) fail at 260 characters. */
export const WINDOWS_MAX_PATH = 260;

/** Windows-1252, the ANSI code page of Western-language Windows: what a plan made on another machine assumes. */
export const WESTERN_ANSI_CODE_PAGE = 1252;

/**
 * The characters a single-byte Windows code page can carry, or undefined when this Node.js cannot decode it or it
 * is a double-byte one (932, 936, 949, 950), where a byte-by-byte table says nothing.
 */
function codePageCharacters(codePage: number): Set<string> | undefined {
  if ([932, 936, 949, 950].includes(codePage)) return undefined;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(`windows-${codePage}`, { fatal: true });
  } catch {
    return undefined;
  }
  const characters = new Set<string>();
  for (let byte = 0; byte < 256; byte++) {
    try {
      characters.add(decoder.decode(Uint8Array.of(byte)));
    } catch {
      // A byte the code page leaves undefined.
    }
  }
  return characters;
}

/** This Windows machine's ANSI code page (the registry's ACP), or undefined elsewhere or when it cannot be read. */
export function hostAnsiCodePage(): number | undefined {
  if (process.platform !== 'win32') return undefined;
  const result = spawnSync('reg', ['query', 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage', '/v', 'ACP'], { encoding: 'utf8', windowsHide: true });
  const value = /ACP\s+REG_SZ\s+(\d+)/.exec(result.stdout ?? '')?.[1];
  return value ? Number(value) : undefined;
}

/**
 * Why a Windows program such as openssl.exe could not use this path, or undefined: 260 characters or more (MAX_PATH),
 * characters outside the ANSI code page (a program's arguments and the provider's LoadLibraryA go through it), or a
 * `;` in a directory that goes on PATH (PATH splits there, and the DLLs beside the program are not found).
 * `what` names the path in the message; `room` is what the program appends to it (file names, staging suffixes).
 */
export function windowsPathProblem(path: string, what: string, options: { codePage?: number; onPath?: boolean; room?: number } = {}): string | undefined {
  const room = options.room ?? 0;
  if (path.length + room >= WINDOWS_MAX_PATH) {
    return (
      `${what} ${path} is ${path.length} characters long${room ? ` (${room} more for the files in it)` : ''}: Windows programs that do not opt into long paths, ` +
      `openssl.exe and its fipsinstall among them, cannot open paths of ${WINDOWS_MAX_PATH} characters or more. Move the workspace to a shorter path (such as C:\\w) or set a shorter outputPath.`
    );
  }
  const codePage = options.codePage ?? WESTERN_ANSI_CODE_PAGE;
  const characters = codePageCharacters(codePage);
  const outside = characters ? [...new Set([...path].filter((c) => !characters.has(c)))] : [];
  if (outside.length) {
    return (
      `${what} ${path} holds ${outside.map((c) => `"${c}" (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ')}, outside the ANSI code page ${codePage} ` +
      `this Windows runs openssl.exe in: its arguments and the FIPS provider's load go through that code page, so fipsinstall would fail deep inside. ` +
      'Move the workspace to a path of characters that code page holds (ASCII always works).'
    );
  }
  if (options.onPath && path.includes(';')) {
    return `${what} ${path} holds ";": it goes on PATH, which Windows splits at ";", so the DLLs beside openssl.exe would not be found. Move the workspace to a path without ";".`;
  }
  return undefined;
}
