import type { TargetPlatform } from '../platform/target-platform';

/** Stand-in workspace roots for plans made for a platform other than this machine's. */
export const PLAN_ROOTS: Record<TargetPlatform, string> = {
  win32: 'C:\\workspace',
  linux: '/workspace',
  darwin: '/Users/me/workspace',
};
