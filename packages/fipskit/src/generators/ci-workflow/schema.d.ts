/**
 * Writes a GitHub Actions workflow that builds and verifies only what a change affects (`nx affected -t build`), on
 * a Linux and/or Windows runner per the fipskit projects' platforms, with the self-hosted remote cache wired in
 * (read-only token on pull requests) and each verify report kept as an artifact.
 * @title CI workflow
 */
export interface CiWorkflowGeneratorOptions {
  /**
   * Where the workflow goes.
   * @default ".github/workflows/fipskit.yml"
   */
  path?: string;
  /**
   * The branch whose pushes write to the remote cache and that pull requests are compared against.
   * @default "main"
   */
  baseBranch?: string;
  /**
   * Runner platforms. Default: those of the workspace's fipskit projects (their `platform:` tags).
   */
  platforms?: ('linux' | 'win32')[];
  /**
   * `self-hosted`: Nx's HTTP remote cache, from the repository variable NX_SELF_HOSTED_REMOTE_CACHE_SERVER and the
   * secrets NX_CACHE_WRITE_TOKEN (pushes to baseBranch) and NX_CACHE_READ_TOKEN (everything else). `none`: local only.
   * @default "self-hosted"
   */
  remoteCache?: 'self-hosted' | 'none';
  /**
   * The image the Linux job runs in. Default: derived from the Linux projects — a project that takes a source from
   * Debian's archive or puts a distribution's interpreter (`/usr/bin/…`) in FIPS mode gets the Debian release whose
   * CPython is the project's (3.11 → `debian:12`, 3.13 → `debian:13`; ubuntu-latest has no Debian source packages, and
   * its `python3` is Ubuntu's 3.12); other projects run on the runner itself. Git, the CA certificates and the build
   * tools are installed before checkout, so the checkout is a repository `nx affected` can read. Projects no job can
   * build (a CPython no Debian release ships, a second Debian release, macOS) are named in a warning.
   */
  linuxContainer?: string;
  /**
   * Windows runners: the python.org version setup-python installs for the projects' interpreter. Default: the CPython
   * version of the first Windows project's source.
   */
  windowsPythonVersion?: string;
}
