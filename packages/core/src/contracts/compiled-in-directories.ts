import { TargetPlatform, pathsFor } from '../platform/target-platform';
import type { OpenSslBuildInfo } from './build-info';

/**
 * The `--prefix` compiled into the libraries (OPENSSLDIR, MODULESDIR, ENGINESDIR defaults): a fixed path that
 * names no checkout, so the same build restored from a shared cache into any checkout or machine is the same
 * bytes and points nowhere outside it. It is only a default: the activation scripts and launchers set
 * OPENSSL_CONF and OPENSSL_MODULES. Writable only by an administrator, so nobody can plant a configuration there
 * (the Windows default of OpenSSL's own builds is under Program Files for the same reason).
 */
export function compiledInPrefix(options: { platform: TargetPlatform; source: { version: string } }): string {
  return options.platform === 'win32' ? `C:\\Program Files\\fipskit\\openssl-${options.source.version}` : `/opt/fipskit/openssl-${options.source.version}`;
}

/** The directories a build compiled into libcrypto, where a process that sets no OPENSSL_CONF / OPENSSL_MODULES looks. */
export interface CompiledInDirectories {
  prefix: string;
  /** OPENSSLDIR: `openssl.cnf` is read from here. */
  opensslDir: string;
  /** MODULESDIR: providers (`fips.dll`) are loaded from here. */
  modulesDir: string;
}

/**
 * Read from the Configure arguments the build ran with (`--prefix`, `--openssldir`, `--libdir`; relative ones
 * are under the prefix, as OpenSSL takes them); a plan made before the build gets fipskit's own prefix.
 */
export function compiledInDirectories(info: Pick<OpenSslBuildInfo, 'platform' | 'version' | 'configure'>): CompiledInDirectories {
  const paths = pathsFor(info.platform);
  const given = (name: string) => info.configure.arguments.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const prefix = paths.normalize(given('prefix') ?? compiledInPrefix({ platform: info.platform, source: { version: info.version } }));
  const under = (value: string | undefined, fallback: string) =>
    value === undefined ? paths.join(prefix, fallback) : paths.isAbsolute(value) ? paths.normalize(value) : paths.join(prefix, value);
  return { prefix, opensslDir: under(given('openssldir'), 'ssl'), modulesDir: paths.join(under(given('libdir'), 'lib'), 'ossl-modules') };
}
