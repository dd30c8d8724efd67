import { pythonVersionProblem } from './python-versions';

describe('the CPython versions fipskit builds for', () => {
  it.each(['3.10.0', '3.11.2', '3.12.7', '3.13.5', '3.14.0', '3.11', '3.14.0rc1'])('%s is built for', (version) => {
    expect(pythonVersionProblem(version, 'The interpreter /usr/bin/python3')).toBeUndefined();
  });

  it.each([
    [
      '2.7.18',
      /^The interpreter \/usr\/bin\/python2 is Python 2\.7\.18: fipskit builds for CPython 3\.10 to 3\.14 \(CPython supports OpenSSL 3 from 3\.10 on\)\. Install a Python in that range/,
    ],
    ['3.6.15', /is Python 3\.6\.15: fipskit builds for CPython 3\.10 to 3\.14/],
    ['3.9.18', /is Python 3\.9\.18: fipskit builds for CPython 3\.10 to 3\.14/],
    ['3.15.0', /is Python 3\.15\.0: fipskit builds for CPython 3\.10 to 3\.14, and does not yet know the built-in hash modules of 3\.15/],
    ['4.0.0', /does not yet know the built-in hash modules of 4\.0/],
    ['latest', /is not a CPython version such as 3\.11\.2/],
  ])('%s is refused, with the range and what to do', (version, message) => {
    expect(pythonVersionProblem(version, version === '2.7.18' ? 'The interpreter /usr/bin/python2' : 'The interpreter /x')).toMatch(message);
  });
});
