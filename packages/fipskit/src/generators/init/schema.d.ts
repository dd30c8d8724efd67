/**
 * Prepares an Nx workspace for fipskit (what `nx add fipskit` runs): registers fipskit's plugin in nx.json,
 * which infers each fipskit project's stages from its fipskit.json, ignores the scratch and output directories
 * in git, and adds the fipskit packages as devDependencies. Nothing else in nx.json changes.
 * @title fipskit init
 */
export interface InitGeneratorOptions {
  /**
   * Do not add the fipskit packages to package.json.
   * @default false
   */
  skipPackageJson?: boolean;
  /**
   * Leave the version of a fipskit package that package.json already lists (nx add passes it).
   * @default false
   */
  keepExistingVersions?: boolean;
  /**
   * Do not format the files written (with the workspace's Prettier, when it has one).
   * @default false
   */
  skipFormat?: boolean;
}
