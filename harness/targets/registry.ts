/**
 * The target registry: every target this build knows, by name; the CLI picks one with `--target`. Targets load on
 * demand: the container target pulls in testcontainers (≈ 0.5 s), which a process run must not pay for.
 */
import { UserError } from '../lib/user-error.ts';
import type { Target, TargetName } from './common/target.ts';

export const TARGETS: Record<TargetName, () => Promise<Target>> = {
  process: async () => (await import('./process/process-target.ts')).processTarget,
  sandbox: async () => (await import('./sandbox/sandbox-target.ts')).sandboxTarget,
  container: async () => (await import('./container/container-target.ts')).containerTarget,
};

export async function targetByName(name: string): Promise<Target> {
  const load = (TARGETS as Record<string, (() => Promise<Target>) | undefined>)[name];
  if (!load) throw new UserError(`--target: unknown target "${name}" (known: ${Object.keys(TARGETS).join(', ')})`);
  return load();
}

/** The named target, or a UserError saying why it cannot run here. */
export async function availableTarget(name: string): Promise<Target> {
  const target = await targetByName(name);
  const reason = await target.unavailable();
  if (reason) throw new UserError(`--target ${name} cannot run here: ${reason}`);
  return target;
}
