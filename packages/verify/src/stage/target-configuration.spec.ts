import { canonicalJson, targetConfigurationDigest } from './target-configuration';

const context = (openssl: object, python: object) => ({
  projectName: 'py',
  projectsConfigurations: {
    version: 2,
    projects: {
      so: { root: 'so', targets: { openssl } },
      py: { root: 'py', implicitDependencies: ['so', 'gone'], targets: { python } },
      other: { root: 'other', targets: { x: { command: 'true' } } },
    },
  },
});

describe('the digest of the Nx targets that made a Python', () => {
  it('is the same for the same configuration in any key order, and names the projects it covers', () => {
    const a = targetConfigurationDigest(context({ executor: 'e', options: { a: 1, b: 2 } }, { executor: 'p' }))!;
    const b = targetConfigurationDigest(context({ options: { b: 2, a: 1 }, executor: 'e' }, { executor: 'p' }))!;
    expect(a).toEqual(b);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.projects).toEqual(['py', 'so']);
    expect(canonicalJson({ b: [1, { d: 1, c: undefined }], a: 'x' })).toBe('{"a":"x","b":[1,{"d":1}]}');
  });

  it('changes with any option of this project or of the project whose OpenSSL it uses, and not with another project', () => {
    const base = targetConfigurationDigest(context({ options: { configureArgs: [] } }, { options: {} }))!.sha256;
    expect(targetConfigurationDigest(context({ options: { configureArgs: ['no-idea'] } }, { options: {} }))!.sha256).not.toBe(base);
    expect(targetConfigurationDigest(context({ options: { configureArgs: [] } }, { options: { mode: 'full' } }))!.sha256).not.toBe(base);
    const withOther = context({ options: { configureArgs: [] } }, { options: {} });
    (withOther.projectsConfigurations.projects.other.targets.x as { command: string }).command = 'false';
    expect(targetConfigurationDigest(withOther)!.sha256).toBe(base);
    expect(targetConfigurationDigest({ projectName: 'py' })).toBeUndefined();
  });
});
