import type { FipsProfile, SourceSpec } from '@fipskit/core';

/**
 * A fipskit project. fipskit's Nx plugin reads this file and gives the project in its directory the stages
 * sources, openssl, fips-config, python, verify, build, doctor, plan and audit (and install and restore on
 * Windows), with their cache inputs, outputs and dependencies. A target in the project's project.json with the
 * same name overrides what the plugin infers, option by option.
 * @title fipskit project
 * @schemaRoot
 */
export interface FipskitProject {
  /** This file's JSON schema, for editors: `node_modules/fipskit/src/plugins/fipskit-json/schema.json`. */
  $schema?: string;
  /** The platform the project builds on. */
  platform: 'linux' | 'darwin' | 'win32';
  /**
   * How the FIPS Python is made: `overlay` (Linux, macOS) for an existing interpreter, `full` (Linux, macOS) a whole
   * CPython, `pcbuild` (Windows) PCbuild modules installed into the interpreter. Default: `overlay`, on Windows
   * `pcbuild`.
   */
  mode?: 'overlay' | 'pcbuild' | 'full';
  /** The existing interpreter to put in FIPS mode (absolute path); none with `mode: full`. */
  interpreter?: string;
  /** Where the OpenSSL source comes from; leave out with `opensslProject`. */
  openssl?: SourceSpec;
  /** A second OpenSSL source from which only the FIPS provider is built (a validated provider beside newer libraries). */
  fipsProvider?: SourceSpec;
  /** Another fipskit project whose openssl and fips-config stages this one uses, instead of an OpenSSL of its own. */
  opensslProject?: string;
  /** Where the CPython source comes from; its version is the interpreter's (overlay, pcbuild) or the one built (full). */
  python: SourceSpec;
  /**
   * FIPS configuration profile (see docs/verification.md, Profiles); leave out with `opensslProject`, whose profile is used.
   * Default: `rhel-compatible`.
   */
  profile?: FipsProfile;
  /**
   * Build settings for the openssl and python stages, e.g. `{"CC": "ccache gcc", "CFLAGS": "-O2"}`: the only variables
   * they get beyond those that locate the tools (see the stages' `environment` option). They are part of the cache
   * key, and the key asks a `CC` given here (and the compiler behind `ccache`) for its version.
   */
  environment?: Record<string, string>;
  /** Where the stages' outputs go, relative to the workspace root. Default: `dist/<project name>`. */
  outputDir?: string;
}
