export { initGenerator } from './generators/init/generator';
export { projectGenerator } from './generators/project/generator';
export type { ProjectGeneratorOptions } from './generators/project/schema';
export { createNodes, createNodesV2 } from './plugins/nodes';
