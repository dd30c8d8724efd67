import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OpenSslBuildInfo, SourceAuthenticity, SourceLock, sha256File } from '@fipskit/core';
import { VerifyReport } from '../report';

/** A file the FIPS Python is made of, with the SHA-256 it has on disk now. */
export interface EvidenceFile {
  /** What it is, for a reader: "FIPS provider module", "libcrypto", "_ssl extension module", … */
  role: string;
  /** Path relative to the stage output it belongs to (`openssl/lib/ossl-modules/fips.so`). */
  path: string;
  absolutePath: string;
  sha256: string;
}

export interface FipsInstallEvidence {
  ranAt: string;
  hostname: string;
  machineDigest: string;
  profile: string;
  securityChecks: boolean;
  selfTests: string[];
  verify: string[];
}

/** Everything the auditor report and the SBOM say, gathered once from the stage outputs on disk. */
export interface Evidence {
  report: VerifyReport;
  openssl: OpenSslBuildInfo;
  fipsinstall?: FipsInstallEvidence;
  python?: { mode: string; interpreter: { path: string; version: string }; source: SourceLock; sourceAuthenticity?: SourceAuthenticity };
  files: EvidenceFile[];
}

interface PythonManifest {
  mode: string;
  interpreter: { path: string; version: string };
  source: SourceLock;
  sourceAuthenticity?: SourceAuthenticity;
  modules: Record<string, string>;
}

const readJson = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined);

function roleOf(path: string): string {
  if (/ossl-modules\/fips\./.test(path)) return 'FIPS provider module';
  if (/ossl-modules\//.test(path)) return 'OpenSSL provider module';
  if (/libcrypto/.test(path)) return 'libcrypto';
  if (/libssl/.test(path)) return 'libssl';
  if (/bin\/openssl/.test(path)) return 'openssl program';
  if (/_ssl\./.test(path)) return '_ssl extension module';
  if (/_hashlib\./.test(path)) return '_hashlib extension module';
  if (/\.py$/.test(path)) return 'hash routing module';
  if (/\.cnf$/.test(path)) return 'OpenSSL configuration';
  return 'file';
}

/**
 * Reads build-info.json, fips-config.json and (when the interpreter is a fipskit launcher) the python stage's
 * manifest, and hashes every file they name as it is on disk now.
 */
export async function collectEvidence(input: { report: VerifyReport; prefix: string; openssl: OpenSslBuildInfo; fipsConfigDir: string; python: string }): Promise<Evidence> {
  const files: EvidenceFile[] = [];
  const add = async (root: string, label: string, relative: string) => {
    const absolutePath = join(root, ...relative.split('/'));
    if (!existsSync(absolutePath)) return;
    files.push({ role: roleOf(relative), path: `${label}/${relative}`, absolutePath, sha256: await sha256File(absolutePath) });
  };
  for (const path of Object.keys(input.openssl.artifacts).sort()) await add(input.prefix, 'openssl', path);
  const config = readJson<{ profile: string; securityChecks: boolean; fipsinstall: { ranAt: string; hostname: string; machineDigest: string; output: string[]; verify: string[] } }>(
    join(input.fipsConfigDir, 'fips-config.json'),
  );
  for (const name of ['openssl.cnf', 'fipsmodule.cnf']) await add(input.fipsConfigDir, 'fips-config', name);
  // The launcher is <python output>/bin/python3: its manifest is two levels up.
  const pythonRoot = dirname(dirname(input.python));
  const manifest = readJson<PythonManifest>(join(pythonRoot, 'fipskit-python.json'));
  if (manifest) for (const path of Object.keys(manifest.modules).sort()) await add(pythonRoot, 'python', path);
  return {
    report: input.report,
    openssl: input.openssl,
    ...(config
      ? {
          fipsinstall: {
            ranAt: config.fipsinstall.ranAt,
            hostname: config.fipsinstall.hostname,
            machineDigest: config.fipsinstall.machineDigest,
            profile: config.profile,
            securityChecks: config.securityChecks,
            selfTests: config.fipsinstall.output,
            verify: config.fipsinstall.verify,
          },
        }
      : {}),
    ...(manifest ? { python: { mode: manifest.mode, interpreter: manifest.interpreter, source: manifest.source, sourceAuthenticity: manifest.sourceAuthenticity } } : {}),
    files,
  };
}
