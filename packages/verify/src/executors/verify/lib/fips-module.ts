import { existsSync, readFileSync } from 'node:fs';
import { sha256File } from '@fipskit/core';
import { PrefixBuildInfo } from './normalize-options';

/** The audit.json fields the evidence cites (written by fipskit:audit). */
interface AuditFile {
  auditedAt: string;
  fipsModule?: { path: string; sha256: string; reproduced: boolean };
}

/** What the evidence says about the FIPS module file that ran. */
export interface FipsModuleEvidence {
  /** The module the interpreter mapped; null when no FIPS provider ran. */
  path: string | null;
  sha256: string | null;
  /** What build-info.json records for the prefix's module. */
  builtSha256: string;
  /** The audit that covers this exact module, if any. */
  audit: { file: string; auditedAt: string; reproduced: boolean } | null;
  statement: string;
}

function readAudit(file: string): AuditFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AuditFile;
  } catch {
    return undefined;
  }
}

/**
 * The module that ran, its SHA-256, and whether a rebuild from source with no cache gave those bytes. Only an audit of
 * the same SHA-256 counts: an audit of another build says nothing about this one.
 */
export async function describeFipsModule(mapped: string | null | undefined, info: PrefixBuildInfo, auditFile: string, project: string): Promise<FipsModuleEvidence> {
  const builtSha256 = info.artifacts[info.fipsProvider.module] ?? 'unknown';
  const runAudit = `run nx run ${project}:audit (CI can run it on a schedule)`;
  if (!mapped) {
    return { path: null, sha256: null, builtSha256, audit: null, statement: `No FIPS module was loaded into the interpreter; the prefix's ${info.fipsProvider.module} has SHA-256 ${builtSha256}.` };
  }
  if (mapped.includes('; ')) {
    return { path: mapped, sha256: null, builtSha256, audit: null, statement: `More than one FIPS module was loaded into the interpreter (${mapped}): no one of them can be named as the module that ran.` };
  }
  const sha256 = await sha256File(mapped);
  const ran = `The FIPS module that ran is ${mapped} (SHA-256 ${sha256})`;
  if (sha256 !== builtSha256) {
    return { path: mapped, sha256, builtSha256, audit: null, statement: `${ran}, which is not the module the openssl stage built (build-info.json records ${builtSha256}).` };
  }
  const audit = readAudit(auditFile);
  if (!audit?.fipsModule || audit.fipsModule.sha256 !== sha256) {
    const other = audit?.fipsModule ? ` The last audit (${audit.auditedAt}) was of another module (SHA-256 ${audit.fipsModule.sha256}).` : '';
    return { path: mapped, sha256, builtSha256, audit: null, statement: `${ran}. It was not audited: no rebuild from source has been compared with it; ${runAudit}.${other}` };
  }
  const cited = { file: auditFile, auditedAt: audit.auditedAt, reproduced: audit.fipsModule.reproduced };
  return {
    path: mapped,
    sha256,
    builtSha256,
    audit: cited,
    statement: audit.fipsModule.reproduced
      ? `${ran}. A rebuild from its locked source with no cache gave the same bytes (audit of ${audit.auditedAt}, ${auditFile}).`
      : `${ran}. A rebuild from its locked source with no cache gave other bytes (audit of ${audit.auditedAt}, ${auditFile}): do not rely on this module.`,
  };
}
