/**
 * The entry nx.json names (`"plugins": ["fipskit/plugin"]`): only the project inference, so that Nx's project graph
 * loads neither the generators nor the executors' code.
 */
export { createNodes, createNodesV2 } from './plugins/nodes';
