#!/usr/bin/env node
// Prints the Nx hash of a task without running it (or its dependencies), as JSON:
//   node tools/task-hash.js <workspace-root> <project:target> [<project:target> …]
// → {"<project:target>": {"hash": "…", "inputs": {"env:CC": "…", …}}, …}
// The environment is this process's. Dependencies' outputs are hashed from what is on disk, exactly
// as `nx run` does after running them. Used by the tests that prove each declared input matters.
'use strict';
const path = require('node:path');

const [root, ...tasks] = process.argv.slice(2);
if (!root || tasks.length === 0) {
  console.error('usage: task-hash.js <workspace-root> <project:target> [...]');
  process.exit(2);
}
// Nx fixes its workspace root when it is first loaded.
process.env.NX_WORKSPACE_ROOT_PATH = path.resolve(root);
process.env.NX_DAEMON = 'false';
process.env.NX_NO_CLOUD = 'true';
process.env.NX_ISOLATE_PLUGINS = 'false';
process.chdir(path.resolve(root));

const nxRequire = (module) => require(require.resolve(module, { paths: [path.resolve(root)] }));
const { createProjectGraphAsync } = nxRequire('nx/src/project-graph/project-graph');
const { readNxJson } = nxRequire('nx/src/config/nx-json');
const { createTaskGraph } = nxRequire('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = nxRequire('nx/src/hasher/create-task-hasher');

(async () => {
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const nxJson = readNxJson();
  const hasher = createTaskHasher(graph, nxJson);
  const result = {};
  for (const id of tasks) {
    const [project, target] = id.split(':');
    const taskGraph = createTaskGraph(graph, {}, [project], [target], undefined, {});
    const hash = await hasher.hashTask(taskGraph.tasks[id], taskGraph, { ...process.env });
    result[id] = { hash: hash.value, inputs: hash.details.nodes };
  }
  console.log(JSON.stringify(result));
})().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
