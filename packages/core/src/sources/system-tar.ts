import { spawn, spawnSync } from 'node:child_process';
import { ArchiveCompression } from './archive-stream';

/**
 * The system's GNU tar writes a release tarball's files in about half the time node-tar's writer takes
 * (tools/benchmark/unpack.ts): fipskit hands it an archive its own scan has already proved safe. Only GNU tar,
 * and only off Windows: its options below are what makes it write as node-tar would (no owners, the umask
 * applied); BSD tar and Windows' tar.exe spell them differently.
 */
export function systemGnuTar(platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') return undefined;
  if (probed === undefined) {
    const version = spawnSync('tar', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    probed = version.status === 0 && /^tar \(GNU tar\)/.test(version.stdout) ? 'tar' : null;
  }
  return probed ?? undefined;
}
let probed: string | null | undefined;

export interface SystemTarExtraction {
  archive: string;
  destDir: string;
  compression: ArchiveCompression;
  /** Drop the archive's one top-level directory. */
  stripTopLevel: boolean;
}

/**
 * The arguments of one GNU tar extraction of a whole archive: never the archive's owners, nor permission bits past
 * the umask (set-ID and sticky bits included).
 */
export function systemTarArguments(extraction: SystemTarExtraction): string[] {
  const compression = { gzip: ['-z'], xz: ['-J'], none: [] }[extraction.compression];
  return [
    '-x',
    ...compression,
    '-f',
    extraction.archive,
    '-C',
    extraction.destDir,
    '--no-same-owner',
    '--no-same-permissions',
    ...(extraction.stripTopLevel ? ['--strip-components=1'] : []),
  ];
}

/** Runs GNU tar; a failure names the command's last words (a full disk among them: "No space left on device"). */
export function extractWithSystemTar(tar: string, extraction: SystemTarExtraction): Promise<void> {
  const args = systemTarArguments(extraction);
  return new Promise((resolve, reject) => {
    const child = spawn(tar, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', (error) => reject(new Error(`Cannot run ${tar} to unpack ${extraction.archive}: ${error.message}`, { cause: error })));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(
        new Error(
          `Unpacking ${extraction.archive} into ${extraction.destDir} failed: ${tar} ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}: ` +
            `${stderr.trim() || 'no message'}. If the disk is full, free space or move the build directory; otherwise fetch the tarball again.`,
        ),
      );
    });
  });
}
