/** The target registry: every target this build knows, by name; the CLI picks one with `--target`. */
import { UserError } from '../lib/user-error.ts';
import type { Target, TargetName } from './common/target.ts';
import { containerTarget } from './container/container-target.ts';
import { processTarget } from './process/process-target.ts';
import { sandboxTarget } from './sandbox/sandbox-target.ts';

export const TARGETS: Partial<Record<TargetName, Target>> = {
  process: processTarget,
  sandbox: sandboxTarget,
  container: containerTarget,
};

export function targetByName(name: string): Target {
  const target = (TARGETS as Record<string, Target | undefined>)[name];
  if (!target) throw new UserError(`--target: unknown target "${name}" (known: ${Object.keys(TARGETS).join(', ')})`);
  return target;
}

/** The named target, or a UserError saying why it cannot run here. */
export async function availableTarget(name: string): Promise<Target> {
  const target = targetByName(name);
  const reason = await target.unavailable();
  if (reason) throw new UserError(`--target ${name} cannot run here: ${reason}`);
  return target;
}
