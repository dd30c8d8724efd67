// @actions/workflow-parser imports its workflow schema as a JSON module without an import attribute (its bundler
// supplies one); Node.js 20 requires the attribute, so this hook adds it for .json files.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(
      `export async function load(url, context, nextLoad) {
        if (url.endsWith('.json')) return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
        return nextLoad(url, context);
      }`,
    ),
);
