import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BuildPlan, renderPlan } from '@fipskit/core';

/** A target path as a relative path under `files/`: `C:\w\x.cnf` → `C/w/x.cnf`, `/w/x.cnf` → `w/x.cnf`. */
export function mirroredPath(target: string): string {
  return target
    .replace(/^([A-Za-z]):[\\/]/, '$1/')
    .split(/[\\/]+/)
    .filter((part) => part && part !== '.' && part !== '..')
    .join('/');
}

/** The plan as data: every step without its in-process callback. */
export function planAsJson(plans: BuildPlan[]): unknown {
  return plans.map((plan) => ({
    stage: plan.stage,
    platform: plan.platform,
    steps: plan.steps.map((step) => {
      if (step.kind === 'task') return { kind: step.kind, title: step.title, detail: step.detail };
      return step;
    }),
  }));
}

/** Writes plan.txt, plan.json and, under files/, the content of every file the plans would write (a zip's entries under its name). */
export function writePlanFiles(dir: string, plans: BuildPlan[]): string[] {
  writeFileSync(join(dir, 'plan.txt'), plans.map(renderPlan).join('\n\n') + '\n');
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(planAsJson(plans), null, 2) + '\n');
  const written: string[] = [];
  for (const plan of plans) {
    for (const step of plan.steps) {
      if (step.kind !== 'files') continue;
      for (const op of step.operations) {
        // A zip's entries are shown as files under the zip's own name, so they can be read.
        const files =
          op.op === 'write'
            ? [{ to: op.to, content: op.content }]
            : op.op === 'zip'
              ? op.entries.map((e) => ({ to: `${op.to}/${e.name}`, content: e.content }))
              : [];
        for (const file of files) {
          const path = join(dir, 'files', mirroredPath(file.to));
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, file.content);
          written.push(path);
        }
      }
    }
  }
  return written;
}
