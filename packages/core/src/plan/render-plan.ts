import { describeCommand } from '../process/command';
import { BuildPlan, FileOperation } from './build-plan';

/** The plan as a person reads it: ordered programs with args, cwd and env changes, and file operations. */
export function renderPlan(plan: BuildPlan): string {
  const platform = plan.platform === 'win32' ? 'win32' : 'linux';
  const lines = [`Plan for ${plan.stage} (target platform: ${plan.platform})`];
  if (plan.environment) lines.push(plan.environment);
  plan.steps.forEach((step, i) => {
    lines.push(`${i + 1}. ${step.title}`);
    if (step.kind === 'run') {
      lines.push(`   cwd: ${step.command.cwd}`);
      for (const [key, value] of Object.entries(step.command.env ?? {})) {
        lines.push(value === undefined ? `   env: unset ${key}` : `   env: ${key}=${value}`);
      }
      lines.push(`   $ ${describeCommand(step.command, platform)}`);
      for (const command of step.alongside ?? []) lines.push(`   $ ${describeCommand(command, platform)}   (alongside, in ${command.cwd})`);
    } else if (step.kind === 'files') {
      step.operations.forEach((op) => lines.push(`   ${describeFileOperation(op)}`));
    } else {
      lines.push(`   ${step.detail}`);
    }
  });
  return lines.join('\n');
}

export function describeFileOperation(op: FileOperation): string {
  switch (op.op) {
    case 'mkdir':
      return `mkdir ${op.to}`;
    case 'copy':
      return `copy ${op.from} -> ${op.to}`;
    case 'symlink':
      return `symlink ${op.to} -> ${op.target}`;
    case 'write':
      return `write ${op.to} (${Buffer.byteLength(op.content)} bytes)`;
    case 'move':
      return `move ${op.from} -> ${op.to}`;
    case 'zip':
      return `zip ${op.to} (${op.entries.map((e) => e.name).join(', ')})`;
    case 'remove':
      return `remove ${op.to}`;
  }
}
