import { providerStatus, validatedProvidersFor } from './validated-providers';

describe('providerStatus', () => {
  it.each([
    ['3.0.8', true, 'validated (FIPS 140-2, CMVP certificate 4282)'],
    ['3.0.9', true, 'validated (FIPS 140-2, CMVP certificate 4282)'],
    ['3.1.2', true, 'validated (FIPS 140-3, CMVP certificate 4985)'],
    ['3.0.22', false, 'FIPS-capable, not validated'],
    ['3.1.0', false, 'FIPS-capable, not validated'],
    ['3.5.7', false, 'FIPS-capable, not validated'],
  ])('%s', (version, validated, status) => {
    expect(providerStatus(version)).toMatchObject({ validated, status });
  });
});

describe('validatedProvidersFor', () => {
  it.each([
    ['3.0.22', ['3.0.8', '3.0.9']],
    ['3.0.9', ['3.0.8', '3.0.9']],
    ['3.1.2', ['3.0.8', '3.0.9', '3.1.2']],
    ['3.5.7', ['3.0.8', '3.0.9', '3.1.2']],
    ['3.0.7', []],
  ])('libraries %s take a validated provider %j', (libraries, providers) => {
    expect(validatedProvidersFor(libraries).map((p) => p.version)).toEqual(providers);
  });
});
