/**
 * Moves fipskit projects whose stages are written out in project.json to stages inferred by fipskit's plugin:
 * writes each project's fipskit.json, keeps in project.json only what differs from what the plugin infers (the
 * user's own changes, as overrides), and registers the plugin. A project whose targets the plugin could not
 * reproduce exactly is left as it is, with the reason.
 * @title Convert fipskit projects to inferred targets
 */
export interface ConvertToInferredGeneratorOptions {
  /** The project to convert. Default: every fipskit project with its stages written out. */
  project?: string;
  /**
   * Do not format the files written.
   * @default false
   */
  skipFormat?: boolean;
}
