import type * as CDX from '@cyclonedx/cyclonedx-library';

/** The CycloneDX specification version of the SBOM (python/fipskit_evidence.py writes it). */
export const SBOM_SPEC_VERSION = '1.6';

type CycloneDx = typeof CDX;
let cycloneDx: Promise<CycloneDx> | undefined;

/**
 * CycloneDX's library (some 75 ms to load): loaded when first needed, which verify arranges while its checks run in
 * another process, not before its first step.
 */
export function loadCycloneDx(): Promise<CycloneDx> {
  return (cycloneDx ??= import('@cyclonedx/cyclonedx-library'));
}

let validator: Promise<CDX.Validation.JsonStrictValidator> | undefined;
let compiled: Promise<unknown> | undefined;

/**
 * Loads the library and compiles the CycloneDX JSON schema (a quarter to half a second of this process's time), so
 * that verify can do it while its checks run in another process. Validating a minimal document is what makes the
 * library compile; its result does not matter, and a failure shows in validateSbom.
 */
export function prepareSbomValidation(): Promise<unknown> {
  validator ??= loadCycloneDx().then((cdx) => new cdx.Validation.JsonStrictValidator(cdx.Spec.Spec1dot6.version));
  compiled ??= validator.then((v) => v.validate(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: SBOM_SPEC_VERSION, version: 1 }))).catch(() => undefined);
  return compiled;
}

/** Validates against the CycloneDX JSON schema, with CycloneDX's own library; returns the first problem, or undefined when valid. */
export async function validateSbom(json: string): Promise<string | undefined> {
  await prepareSbomValidation();
  const errors = await (await validator!).validate(json);
  return errors ? JSON.stringify(errors) : undefined;
}
