import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { describeBytes, freeBytes } from '@fipskit/core';

/** Written into the backup directory before the Python is touched; restore reads it. */
export const INSTALL_MANIFEST = 'fipskit-python-install.json';
/** Originals of the files fipskit replaced. */
export const ORIGINALS_DIR = 'originals';
/** Files the user changed after the install, moved aside by a forced restore instead of being destroyed. */
export const CHANGED_AFTER_INSTALL_DIR = 'changed-after-install';

/**
 * A file to put in place: into the Python (`DLLs\_ssl.pyd`, the zip slot `python311.zip`) or into the
 * directories fipskit's OpenSSL compiled in (`fips.dll`, `openssl.cnf`), where a process started without
 * any fipskit variable finds its FIPS configuration.
 */
export interface InstallFile {
  source: string;
  /** Absolute path where the file goes. */
  dest: string;
}

export interface InstalledPython {
  /** `3.11.2` from include\patchlevel.h, or `3.11` when only pythonXY.dll tells. */
  version: string;
  /** `3.11`. */
  series: string;
  /** The file names that gave the version. */
  evidence: string[];
  machine: 'x64' | 'x86' | 'arm64' | 'unknown';
}

export interface FileDigest {
  sha256: string;
  size: number;
}

export interface InstallRecord {
  /** Where the file was put. */
  path: string;
  /** What was there before, kept in the backup directory as `kept`; absent when fipskit added the file. */
  original?: FileDigest & { kept: string };
  installed: FileDigest & { source: string };
}

export interface InstallManifest {
  schema: 2;
  pythonDir: string;
  python: InstalledPython;
  sourceVersion: string;
  installedAt: string;
  files: InstallRecord[];
  /** Directories the install created (OpenSSL's compiled-in ones); restore removes them when empty. */
  createdDirs: string[];
}

export interface RestoreResult {
  /** Originals put back. */
  restored: string[];
  /** Files fipskit had added, removed. */
  removed: string[];
  /** Already as before the install (a partial install, or restored by hand). */
  unchanged: string[];
  /** Changed by the user after the install; moved to `<backupDir>\changed-after-install` by a forced restore. */
  keptAside: string[];
}

/** A file is neither what fipskit installed nor the original: someone changed it since. */
export interface ChangedFile {
  path: string;
  expected: string[];
  actual: string;
}

export class ChangedSinceInstallError extends Error {
  constructor(
    readonly changed: ChangedFile[],
    backupDir: string,
  ) {
    super(
      `Not restoring: ${changed.map((file) => file.path).join(', ')} changed after fipskit installed ${changed.length === 1 ? 'it' : 'them'} ` +
        `(SHA-256 now ${changed.map((file) => file.actual.slice(0, 12)).join(', ')}, not what fipskit installed). Nothing was changed. ` +
        `Check who replaced ${changed.length === 1 ? 'it' : 'them'}; to restore anyway, run restore with force: the changed files are then moved to ${join(backupDir, CHANGED_AFTER_INSTALL_DIR)}, not deleted.`,
    );
    this.name = 'ChangedSinceInstallError';
  }
}

function digest(path: string): FileDigest {
  const bytes = readFileSync(path);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const MACHINES: Record<number, InstalledPython['machine']> = { 0x8664: 'x64', 0x14c: 'x86', 0xaa64: 'arm64' };

/** The COFF machine of a PE file (a DLL): where `IMAGE_FILE_HEADER.Machine` says the code runs. */
export function peMachine(path: string): InstalledPython['machine'] {
  const bytes = readFileSync(path);
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') return 'unknown';
  const pe = bytes.readUInt32LE(0x3c);
  if (pe + 6 > bytes.length || bytes.toString('latin1', pe, pe + 4) !== 'PE\0\0') return 'unknown';
  return MACHINES[bytes.readUInt16LE(pe + 4)] ?? 'unknown';
}

/**
 * Which Python an installed Windows Python is: `python3XY.dll` beside python.exe is always there (and
 * says which CPU it is for); `include\patchlevel.h` (the installer's development headers) gives the
 * micro version when present.
 */
export function readInstalledPython(pythonDir: string): InstalledPython {
  if (!existsSync(pythonDir))
    throw new Error(`${pythonDir} does not exist: point pythonDir at an installed Windows Python (e.g. C:\\Program Files\\Python311).`);
  const names = readdirSync(pythonDir);
  const threaded = names.filter((name) => /^python3\d+t\.dll$/i.test(name));
  const dlls = names.filter((name) => /^python3\d+\.dll$/i.test(name));
  if (dlls.length === 0 && threaded.length > 0) {
    throw new Error(
      `${pythonDir} is a free-threaded Python (${threaded[0]}): its extension modules have another ABI and name. Install into a standard (GIL) Python.`,
    );
  }
  if (dlls.length !== 1) {
    throw new Error(
      dlls.length === 0
        ? `${pythonDir} has no python3XY.dll beside python.exe: it is not an installed Windows Python. Point pythonDir at one (e.g. C:\\Program Files\\Python311).`
        : `${pythonDir} holds ${dlls.join(' and ')}: more than one Python in one directory. Point pythonDir at a single installation.`,
    );
  }
  const dll = dlls[0];
  const digits = /^python3(\d+)\.dll$/i.exec(dll)![1];
  const series = `3.${digits}`;
  const machine = peMachine(join(pythonDir, dll));
  const patchlevel = join(pythonDir, 'include', 'patchlevel.h');
  if (!isFile(patchlevel)) return { version: series, series, evidence: [dll], machine };
  const version = /#define\s+PY_VERSION\s+"([^"]+)"/.exec(readFileSync(patchlevel, 'latin1'))?.[1];
  if (!version) throw new Error(`${patchlevel} has no PY_VERSION: the installation is damaged; repair it with the Python installer.`);
  if (seriesOf(version) !== series) {
    throw new Error(`${pythonDir} holds ${dll} but include\\patchlevel.h says ${version}: the installation is mixed up; repair it with the Python installer.`);
  }
  return { version, series, evidence: [dll, join('include', 'patchlevel.h')], machine };
}

function seriesOf(version: string): string {
  return /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
}

/**
 * Refuses a Python the modules were not built for. `_hashlib` uses CPython's internal API
 * (Py_BUILD_CORE_MODULE), which may change between micro releases: the version must be the source's
 * exactly when the installation says it, and at least its major.minor (pythonXY.dll) when not.
 */
export function assertPythonMatchesSource(pythonDir: string, sourceVersion: string): InstalledPython {
  const python = readInstalledPython(pythonDir);
  const exact = python.version !== python.series;
  if (python.series !== seriesOf(sourceVersion) || (exact && python.version !== sourceVersion)) {
    throw new Error(
      `${pythonDir} is Python ${python.version} (${python.evidence.join(', ')}), but the modules are built from CPython ${sourceVersion}. ` +
        `Build from the CPython ${exact ? python.version : `${python.series}.x`} source the installation came from, or point pythonDir at a Python ${sourceVersion}.`,
    );
  }
  if (python.machine !== 'x64') {
    throw new Error(`${pythonDir}\\${python.evidence[0]} is for ${python.machine}, but fipskit builds x64 modules: install into a 64-bit (x64) Python.`);
  }
  return python;
}

function assertAbsolute(dest: string): void {
  if (!isAbsolute(dest)) throw new Error(`"${dest}" is not an absolute path: every installed file names where it goes.`);
}

function assertOutside(pythonDir: string, backupDir: string): void {
  const inside = relative(resolve(pythonDir), resolve(backupDir));
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new Error(`The backup directory ${backupDir} is inside ${pythonDir}: keep it outside, so restoring leaves the Python exactly as it was.`);
  }
}

/** Schema 1 (before fipskit installed beyond DLLs\\): files by plain name in DLLs, originals by that name. */
interface InstallManifestV1 {
  schema: 1;
  pythonDir: string;
  python: InstalledPython;
  sourceVersion: string;
  installedAt: string;
  files: Array<{ name: string; original?: FileDigest; installed: FileDigest & { source: string } }>;
}

function readManifest(backupDir: string): InstallManifest | undefined {
  const path = join(backupDir, INSTALL_MANIFEST);
  if (!existsSync(path)) return undefined;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as InstallManifest | InstallManifestV1;
  if (manifest.schema === 1 && Array.isArray(manifest.files)) {
    return {
      ...manifest,
      schema: 2,
      createdDirs: [],
      files: manifest.files.map(({ name, original, installed }) => ({
        path: join(manifest.pythonDir, 'DLLs', name),
        installed,
        ...(original ? { original: { ...original, kept: join(ORIGINALS_DIR, name) } } : {}),
      })),
    };
  }
  if (manifest.schema !== 2 || !Array.isArray(manifest.files)) throw new Error(`${path} is not a fipskit install manifest this version understands.`);
  return manifest;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function samePath(a: string, b: string): boolean {
  const norm = (p: string) => resolve(p).replace(/[\\/]+$/, '');
  return process.platform === 'win32' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

/** Copies beside the target, checks the bytes, then renames over it: a reader never sees half a module. */
function placeFile(from: string, to: string, expected: FileDigest): void {
  const temporary = `${to}.fipskit-partial`;
  try {
    copyFileSync(from, temporary);
    const written = digest(temporary);
    if (written.sha256 !== expected.sha256)
      throw new Error(`${to}: copied bytes differ from ${from} (SHA-256 ${written.sha256}, expected ${expected.sha256}).`);
    renameSync(temporary, to);
  } finally {
    if (isFile(temporary)) rmSync(temporary);
  }
}

function explainWriteFailure(error: unknown, pythonDir: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPERM' || code === 'EACCES') {
    return `no permission to write in ${pythonDir}: run from an elevated (Administrator) prompt, or close every running Python that has the module loaded`;
  }
  if (code === 'EBUSY') return 'the file is in use: close every running Python, then try again';
  if (code === 'ENOSPC')
    return `the disk holding ${pythonDir} is full (${describeBytes(freeBytes(pythonDir) ?? 0)} free): free space there, then install again`;
  return (error as Error).message;
}

/** A name for a kept original: its place in the install and its own name, so the backup reads plainly. */
function keptName(index: number, dest: string): string {
  return join(ORIGINALS_DIR, `${index}-${basename(dest)}`);
}

/** Windows file names are case-insensitive: DLLs\\_SSL.pyd and DLLs\\_ssl.pyd are one file. */
function fileKey(path: string): string {
  return process.platform === 'win32' ? resolve(path).toLowerCase() : resolve(path);
}

/**
 * Puts each file where it goes: into the Python (`DLLs\\`, its zip slot) and into OpenSSL's compiled-in
 * directories. Every file it replaces is first copied to `<backupDir>\\originals` and recorded with its
 * SHA-256, together with the SHA-256 of what is installed and the directories it creates, in
 * `<backupDir>\\fipskit-python-install.json` (written before anything is touched, so an interrupted install
 * can be restored). On a failure part way, what was done is undone.
 */
export function installIntoPython(pythonDir: string, files: InstallFile[], backupDir: string, options: { sourceVersion: string; now?: Date }): InstallManifest {
  if (files.length === 0) throw new Error('Nothing to install: give at least one file.');
  const seen = new Set<string>();
  for (const file of files) {
    assertAbsolute(file.dest);
    if (seen.has(fileKey(file.dest))) throw new Error(`${file.dest} is listed twice.`);
    seen.add(fileKey(file.dest));
    if (!isFile(file.source)) throw new Error(`${file.source} is missing: the build did not produce it. Run the build again.`);
  }
  const python = assertPythonMatchesSource(pythonDir, options.sourceVersion);
  const dllsDir = join(pythonDir, 'DLLs');
  if (!existsSync(dllsDir) || !statSync(dllsDir).isDirectory()) {
    throw new Error(`${dllsDir} does not exist: ${pythonDir} is not a standard Windows Python layout (python.org installer).`);
  }
  assertOutside(pythonDir, backupDir);

  const planned = files.map((file) => ({ file, installed: digest(file.source) }));
  const previous = readManifest(backupDir);
  if (previous) {
    const unchanged =
      samePath(previous.pythonDir, pythonDir) &&
      previous.files.length === planned.length &&
      planned.every(({ file, installed }) => {
        const record = previous.files.find((r) => fileKey(r.path) === fileKey(file.dest));
        return record && record.installed.sha256 === installed.sha256 && isFile(file.dest) && digest(file.dest).sha256 === installed.sha256;
      });
    if (unchanged) return previous;
    throw new Error(
      `fipskit has already installed modules into ${previous.pythonDir} (${join(backupDir, INSTALL_MANIFEST)}). ` +
        'Restore that Python first, then install the new build.',
    );
  }

  assertNoUnrecordedInstall(
    planned.map(({ file }) => file.dest),
    backupDir,
    pythonDir,
  );
  const manifest = backUpOriginals(pythonDir, backupDir, planned, options, python);
  try {
    for (const dir of manifest.createdDirs) mkdirSync(dir, { recursive: true });
    for (const record of manifest.files) placeFile(record.installed.source, record.path, record.installed);
  } catch (error) {
    const undo = undoInstall(backupDir, manifest);
    throw new Error(
      `Installing into ${pythonDir} failed: ${explainWriteFailure(error, pythonDir)}. ` +
        (undo.length === 0 ? 'Everything was left as it was.' : `Could not undo ${undo.join(', ')}: restore them from ${join(backupDir, ORIGINALS_DIR)}.`),
      { cause: error },
    );
  }
  return manifest;
}

/**
 * fipskit's runtime zip, openssl.cnf and fipsmodule.cnf name fipskit, and so does a module's debug record when it was
 * built in the default build directory (`tmp/fipskit/...`); no file a Python ships does.
 */
const FIPSKIT_MARK = Buffer.from('fipskit');

/**
 * With no record of an install, a file that is already fipskit's means the record was lost (a deleted backup
 * directory, another one used): backing it up as the Python's original would leave restore nothing true to put back.
 */
function assertNoUnrecordedInstall(dests: string[], backupDir: string, pythonDir: string): void {
  const ours = dests.filter((dest) => isFile(dest) && readFileSync(dest).includes(FIPSKIT_MARK));
  if (ours.length === 0) return;
  // Only fipskit's compiled-in OpenSSL directories are outside the Python: another Python was installed against this build.
  const shared = ours.filter((dest) => !isInside(dest, pythonDir));
  if (shared.length === ours.length) {
    throw new Error(
      `${shared.join(', ')} ${shared.length === 1 ? 'is' : 'are'} already fipskit's: another Python was installed against this OpenSSL build. ` +
        'Its compiled-in directories hold the FIPS configuration of one Python, the one installed into them, so a second Python is refused and nothing was changed. ' +
        'Restore that Python first (nx run <its project>:restore), or give this Python an OpenSSL build of its own (a project whose openssl stage uses another version).',
    );
  }
  throw new Error(
    `${ours.join(', ')} ${ours.length === 1 ? 'is' : 'are'} already fipskit's, but ${backupDir} holds no record of installing ${ours.length === 1 ? 'it' : 'them'}: ` +
      "that install's backup is gone, or another backup directory was used. fipskit never keeps its own files as a Python's originals, so nothing was changed. " +
      "Restore with the backup directory of that install, or repair the Python with its installer (Modify → Repair) and remove fipskit's files, then install again.",
  );
}

/** The directories to create for the files, outermost first (those that exist already are not listed). */
function missingDirectories(paths: string[]): string[] {
  const missing = new Set<string>();
  for (const path of paths) {
    for (let dir = dirname(path); !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.add(dir);
  }
  return [...missing].sort((a, b) => a.length - b.length);
}

/**
 * Copies every file the install replaces into `<backupDir>\\originals` and writes the install manifest,
 * before anything is touched. When that fails (a full disk, no permission), what it wrote is removed
 * and nothing was changed.
 */
function backUpOriginals(
  pythonDir: string,
  backupDir: string,
  planned: Array<{ file: InstallFile; installed: FileDigest }>,
  options: { sourceVersion: string; now?: Date },
  python: InstalledPython,
): InstallManifest {
  const originalsDir = join(backupDir, ORIGINALS_DIR);
  try {
    mkdirSync(originalsDir, { recursive: true });
    const records: InstallRecord[] = planned.map(({ file, installed }, index) => {
      const record: InstallRecord = { path: file.dest, installed: { ...installed, source: resolve(file.source) } };
      if (existsSync(file.dest)) {
        if (!isFile(file.dest)) throw new Error(`${file.dest} is not a file: fipskit will not replace it.`);
        const original = digest(file.dest);
        const kept = keptName(index, file.dest);
        copyFileSync(file.dest, join(backupDir, kept));
        if (digest(join(backupDir, kept)).sha256 !== original.sha256) {
          throw new Error(`Backing up ${file.dest} to ${join(backupDir, kept)} did not give the same bytes: check the disk, nothing was installed.`);
        }
        record.original = { ...original, kept };
      }
      return record;
    });
    const manifest: InstallManifest = {
      schema: 2,
      pythonDir: resolve(pythonDir),
      python,
      sourceVersion: options.sourceVersion,
      installedAt: (options.now ?? new Date()).toISOString(),
      files: records,
      createdDirs: missingDirectories(records.map((record) => record.path)),
    };
    writeFileSync(join(backupDir, INSTALL_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } catch (error) {
    rmSync(join(backupDir, INSTALL_MANIFEST), { force: true });
    rmSync(originalsDir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    throw new Error(
      `Backing up the files the install replaces into ${backupDir} failed: that disk is full (${describeBytes(freeBytes(backupDir) ?? 0)} free). ` +
        `Nothing was installed and ${pythonDir} was not touched. Free space there, or set backupDir to a disk with room.`,
      { cause: error },
    );
  }
}

/** Removes the directories the install created, innermost first, as long as they are empty. */
function removeCreatedDirectories(dirs: string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty (someone put files there since) or already gone: left as it is.
    }
  }
}

/** Puts back what a failed install changed; returns the files it could not put back. */
function undoInstall(backupDir: string, manifest: InstallManifest): string[] {
  const failed: string[] = [];
  for (const record of manifest.files) {
    try {
      if (record.original) {
        if (!isFile(record.path) || digest(record.path).sha256 !== record.original.sha256)
          placeFile(join(backupDir, record.original.kept), record.path, record.original);
      } else {
        rmSync(record.path, { force: true });
      }
    } catch {
      failed.push(record.path);
    }
  }
  if (failed.length === 0) {
    removeCreatedDirectories(manifest.createdDirs);
    rmSync(join(backupDir, INSTALL_MANIFEST), { force: true });
    rmSync(join(backupDir, ORIGINALS_DIR), { recursive: true, force: true });
  }
  return failed;
}

export interface RestoreOptions {
  force?: boolean;
  /**
   * Every path an install of this build may have written (windowsInstallFiles' destinations), computed again from the
   * build, never read from the record. Without it: the Python's DLLs\ and zip slot, and the files of OpenSSL's
   * compiled-in directories fipskit writes under a prefix named like fipskit's own.
   */
  destinations?: string[];
}

/** What an install writes into the Python: DLLs\<module or DLL> and the zip slot beside python.exe. */
const PYTHON_FILE = /^(DLLs[\\/][^\\/]+\.(pyd|dll)|python3\d+\.zip)$/i;
/** What an install writes into the OpenSSL build's compiled-in directories, under fipskit's prefix. */
const COMPILED_IN_FILE = /[\\/]fipskit[\\/]openssl-\d+\.\d+\.\d+[^\\/]*[\\/](ssl[\\/](openssl|fipsmodule)\.cnf|lib[\\/]ossl-modules[\\/]fips\.dll)$/i;

/**
 * The record of an install sits outside the Python and is read by a restore that runs elevated: a record changed by
 * anyone else must not make it write, delete or copy anywhere else. Every file it names must be one the install of
 * this build may write, every kept original a plain name in originals\, every directory a parent of such a file.
 */
function assertManifestWithinInstall(manifest: InstallManifest, pythonDir: string, backupDir: string, destinations?: string[]): void {
  const problems: string[] = [];
  const allowed = destinations ? new Set(destinations.map(fileKey)) : undefined;
  const inPython = (path: string) => {
    const rel = relative(resolve(pythonDir), resolve(path));
    return !rel.startsWith('..') && !isAbsolute(rel) && PYTHON_FILE.test(rel);
  };
  for (const record of manifest.files) {
    const path = String(record.path);
    const ok =
      isAbsolute(path) && !/(^|[\\/])\.\.([\\/]|$)/.test(path) && (allowed ? allowed.has(fileKey(path)) : inPython(path) || COMPILED_IN_FILE.test(path));
    if (!ok) problems.push(`it names ${path}, which the install of this build never writes`);
    if (record.original) {
      const kept = String(record.original.kept);
      const parts = kept.split(/[\\/]/);
      if (parts.length !== 2 || parts[0] !== ORIGINALS_DIR || !/^[^\\/:*?"<>|]+$/.test(parts[1]) || parts[1] === '..' || parts[1] === '.') {
        problems.push(`it keeps the original of ${path} as ${kept}, which is not a file of ${join(backupDir, ORIGINALS_DIR)}`);
      }
    }
  }
  for (const dir of manifest.createdDirs ?? []) {
    const parentOfOne = manifest.files.some((record) => {
      const rel = relative(resolve(String(dir)), resolve(String(record.path)));
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
    if (!isAbsolute(String(dir)) || !parentOfOne) problems.push(`it lists ${dir} as a directory it created, which holds none of its files`);
  }
  if (problems.length > 0) {
    throw new Error(
      `${join(backupDir, INSTALL_MANIFEST)} is not a record fipskit wrote for ${pythonDir}: ${problems.join('; ')}. Nothing was changed. ` +
        'Someone may have edited it: check who can write that directory, and repair the Python with its installer if its files are not its own.',
    );
  }
}

/**
 * Undoes `installIntoPython`: originals go back, files fipskit added are removed, and so are the
 * directories it created. A file whose bytes are neither what fipskit installed nor the original was
 * changed by someone since: the restore then changes nothing and throws, unless `force`, which moves
 * such files to `<backupDir>\\changed-after-install`. Without an install manifest there is nothing to undo
 * (the install never ran, failed before changing anything, or was restored already): undefined, and
 * nothing is touched.
 */
export function restorePython(pythonDir: string, backupDir: string, options: RestoreOptions = {}): RestoreResult | undefined {
  const manifest = readManifest(backupDir);
  if (!manifest) return undefined;
  if (!samePath(manifest.pythonDir, pythonDir)) {
    // Another Python's originals must never be copied into this one, forced or not.
    throw new Error(`${backupDir} holds the originals of ${manifest.pythonDir}, not of ${pythonDir}: restore ${manifest.pythonDir} with it.`);
  }
  assertManifestWithinInstall(manifest, pythonDir, backupDir, options.destinations);
  const result: RestoreResult = { restored: [], removed: [], unchanged: [], keptAside: [] };
  const changed: ChangedFile[] = [];
  const actions: Array<{ record: InstallRecord; action: 'restore' | 'remove' | 'none'; changed: boolean }> = [];

  for (const record of manifest.files) {
    assertAbsolute(record.path);
    const current = isFile(record.path) ? digest(record.path).sha256 : undefined;
    if (record.original) {
      const kept = join(backupDir, record.original.kept);
      if (!isFile(kept) || digest(kept).sha256 !== record.original.sha256) {
        throw new Error(
          `The backup ${kept} is missing or damaged (its SHA-256 is not the one recorded): fipskit cannot restore ${record.path}. Repair the Python with its installer.`,
        );
      }
    }
    const known = [record.installed.sha256, ...(record.original ? [record.original.sha256] : [])];
    const isChanged = current !== undefined && !known.includes(current);
    if (isChanged) changed.push({ path: record.path, expected: known, actual: current });
    if (record.original) {
      actions.push({ record, action: current === record.original.sha256 ? 'none' : 'restore', changed: isChanged });
    } else {
      actions.push({ record, action: current === undefined ? 'none' : 'remove', changed: isChanged });
    }
  }
  if (changed.length > 0 && !options.force) throw new ChangedSinceInstallError(changed, backupDir);

  actions.forEach(({ record, action, changed: isChanged }, index) => {
    if (isChanged) {
      const aside = join(backupDir, CHANGED_AFTER_INSTALL_DIR);
      mkdirSync(aside, { recursive: true });
      placeFile(record.path, join(aside, `${index}-${basename(record.path)}`), digest(record.path));
      result.keptAside.push(record.path);
    }
    if (action === 'restore') {
      placeFile(join(backupDir, record.original!.kept), record.path, record.original!);
      result.restored.push(record.path);
    } else if (action === 'remove') {
      rmSync(record.path);
      result.removed.push(record.path);
    } else {
      result.unchanged.push(record.path);
    }
  });

  removeCreatedDirectories(manifest.createdDirs);
  rmSync(join(backupDir, INSTALL_MANIFEST));
  rmSync(join(backupDir, ORIGINALS_DIR), { recursive: true, force: true });
  try {
    rmdirSync(backupDir);
  } catch {
    // Not empty (changed files kept aside, or the user's own files): left as it is.
  }
  return result;
}
