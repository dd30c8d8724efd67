/**
 * Builds an OCI image archive of the packed FIPS Python, without a container daemon or a registry: a base root file
 * system (by default a minimal Debian made from Debian's archive with mmdebstrap, with the packages the bundle needs
 * from the OS) and one layer with the bundle, assembled with umoci and written with skopeo as an archive that
 * `podman load` and `docker load` accept. Its entry point puts the FIPS configuration in place before Python starts.
 * @title Image
 */
export interface ImageOptions {
  /** The package target's output (the bundle archive and its bundle.json). */
  packagePath: string;
  /** Where the image archive is written. */
  outputPath: string;
  /**
   * The base: a root file system tarball (mmdebstrap's output, `docker export`, …) or an OCI image archive
   * (`skopeo copy … oci-archive:`), relative to the workspace root. Default: a minimal Debian root file system of
   * `debianRelease`, made with mmdebstrap from Debian's archive (cached in fipskit's cache directory).
   */
  base?: string;
  /** The Debian release of the default base. Default: this machine's (`/etc/os-release`). */
  debianRelease?: string;
  /** Debian archive for the default base. Default: the mirror this machine's apt uses. */
  debianMirror?: string;
  /**
   * How the container gets its FIPS configuration. `at-start`: the entry point runs fipskit-setup (openssl fipsinstall)
   * in each new container, the strict reading of OpenSSL's security policy. `self-test-onload`: the image carries a
   * configuration written with `fipsinstall -self_test_onload`, which depends on the module's bytes alone; the
   * self-tests run at every load; for read-only containers.
   * @default "at-start"
   */
  configuration?: 'at-start' | 'self-test-onload';
  /** The image's name and tag in the archive. Default: `fipskit/<bundle name>:<python version>`. */
  reference?: string;
}
