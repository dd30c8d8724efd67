import type * as CDX from '@cyclonedx/cyclonedx-library';
import { SourceAuthenticity, SourceLock } from '@fipskit/core';
import { Evidence } from './collect-evidence';

/** The fipskit release that wrote the evidence: this package's version, which nx release sets for all packages at once. */
const FIPSKIT_VERSION: string = (require('../../../../../package.json') as { version: string }).version;

type CycloneDx = typeof CDX;
/** The CycloneDX specification version of the SBOM. */
export const SBOM_SPEC_VERSION = '1.6';

let cycloneDx: Promise<CycloneDx> | undefined;

/**
 * CycloneDX's library (some 75 ms to load): loaded when first needed, which verify arranges while its checks run in
 * another process, not before its first step.
 */
export function loadCycloneDx(): Promise<CycloneDx> {
  return (cycloneDx ??= import('@cyclonedx/cyclonedx-library'));
}

const specOf = (cdx: CycloneDx) => cdx.Spec.Spec1dot6;

function sourceReference({ Models, Enums }: CycloneDx, lock: SourceLock): CDX.Models.ExternalReference {
  const url = /^https?:\/\//.test(lock.location) ? lock.location : `urn:fipskit:source:${encodeURIComponent(lock.location)}`;
  return new Models.ExternalReference(url, Enums.ExternalReferenceType.SourceDistribution, {
    comment: `${lock.fileName ?? 'source tree'} sha256:${lock.sha256}; ${lock.verification}`,
  });
}

function library(cdx: CycloneDx, name: string, lock: SourceLock, bomRef: string, description: string, authenticity?: SourceAuthenticity): CDX.Models.Component {
  const { Models, Enums } = cdx;
  const component = new Models.Component(Enums.ComponentType.Library, name, {
    bomRef,
    version: lock.version,
    purl: `pkg:generic/${name}@${lock.version}`,
    description,
  });
  component.externalReferences.add(sourceReference(cdx, lock));
  component.properties.add(new Models.Property('fipskit:source:sha256', lock.sha256));
  if (authenticity) {
    component.properties.add(new Models.Property('fipskit:source:signature', authenticity.status));
    if (authenticity.signer) component.properties.add(new Models.Property('fipskit:source:signed-by', authenticity.signer.fingerprint));
  }
  return component;
}

function buildSbom(cdx: CycloneDx, evidence: Evidence, now: Date): CDX.Models.Bom {
  const { Models, Enums } = cdx;
  const { openssl, report, python } = evidence;
  const bom = new Models.Bom();
  bom.metadata.timestamp = now;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'fipskit', { version: FIPSKIT_VERSION }));
  const product = new Models.Component(Enums.ComponentType.Application, 'fips-python', {
    bomRef: 'fips-python',
    version: report.interpreter.version,
    description: `FIPS-mode Python: ${report.python}`,
  });
  bom.metadata.component = product;

  const opensslComponent = library(cdx, 'openssl', openssl.source, 'openssl', `OpenSSL ${openssl.version}: libcrypto, libssl and the openssl program`, openssl.authenticity?.source);
  const providerLock = openssl.fipsProvider.source ?? openssl.source;
  const provider = library(cdx, 'openssl-fips-provider', providerLock, 'openssl-fips-provider', `OpenSSL FIPS Provider ${openssl.fipsProvider.version}: ${openssl.fipsProvider.status}`,
    openssl.fipsProvider.source ? openssl.authenticity?.fipsProvider : openssl.authenticity?.source,
  );
  provider.properties.add(new Models.Property('fipskit:fips:validated', String(openssl.fipsProvider.validated)));
  if (openssl.fipsProvider.certificate) {
    provider.properties.add(new Models.Property('fipskit:fips:cmvp-certificate', openssl.fipsProvider.certificate));
    provider.properties.add(new Models.Property('fipskit:fips:standard', openssl.fipsProvider.standard ?? ''));
  }
  const components = [opensslComponent, provider];
  if (python) components.push(library(cdx, 'cpython', python.source, 'cpython', `CPython ${python.source.version} (${python.mode} for ${python.interpreter.path})`, python.sourceAuthenticity));
  for (const component of components) {
    bom.components.add(component);
    product.dependencies.add(component.bomRef);
  }

  const owner = (path: string) => (path.includes('ossl-modules/fips.') ? provider : path.startsWith('python/') ? components[2] ?? product : path.startsWith('openssl/') ? opensslComponent : product);
  for (const file of evidence.files) {
    const component = new Models.Component(Enums.ComponentType.File, file.path, { bomRef: `file:${file.path}`, description: file.role });
    component.hashes.set(Enums.HashAlgorithm['SHA-256'], file.sha256);
    bom.components.add(component);
    owner(file.path).dependencies.add(component.bomRef);
  }
  return bom;
}

/**
 * A CycloneDX 1.6 SBOM of the FIPS Python as JSON: OpenSSL, the FIPS provider (with its CMVP status), CPython, and
 * every produced file with its SHA-256, each file linked to the component it belongs to.
 */
export async function sbomJson(evidence: Evidence, now: Date): Promise<string> {
  const cdx = await loadCycloneDx();
  const serializer = new cdx.Serialize.JsonSerializer(new cdx.Serialize.JSON.Normalize.Factory(specOf(cdx)));
  return serializer.serialize(buildSbom(cdx, evidence, now), { sortLists: true, space: 2 }) + '\n';
}

let validator: Promise<CDX.Validation.JsonStrictValidator> | undefined;
let compiled: Promise<unknown> | undefined;

/**
 * Loads the library and compiles the CycloneDX JSON schema (a quarter to half a second of this process's time), so
 * that verify can do it while its checks run in another process. Validating a minimal document is what makes the
 * library compile; its result does not matter, and a failure shows in validateSbom.
 */
export function prepareSbomValidation(): Promise<unknown> {
  validator ??= loadCycloneDx().then((cdx) => new cdx.Validation.JsonStrictValidator(specOf(cdx).version));
  compiled ??= validator
    .then((v) => v.validate(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: SBOM_SPEC_VERSION, version: 1 })))
    .catch(() => undefined);
  return compiled;
}

/** Validates against the CycloneDX JSON schema; returns the first problem, or undefined when valid. */
export async function validateSbom(json: string): Promise<string | undefined> {
  await prepareSbomValidation();
  const errors = await (await validator!).validate(json);
  return errors ? JSON.stringify(errors) : undefined;
}
