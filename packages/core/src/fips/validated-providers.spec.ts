import { providerStatus } from './validated-providers';

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
