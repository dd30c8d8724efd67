/**
 * Prepares an Nx workspace for fipskit: Nx never prompts or connects to a cloud, scratch and output
 * directories are ignored by git, and the fipskit plugins are added as devDependencies.
 * @title fipskit init
 */
export interface InitGeneratorOptions {
  /**
   * Do not add the fipskit packages to package.json.
   * @default false
   */
  skipPackageJson?: boolean;
}
