/**
 * Where a runtime's bootstrap runs: a plain local process, a bubblewrap sandbox shaped like a Lambda execution
 * environment, or a container. A target turns a runtime into LocalEnvironment options (mainly its launcher).
 */
import type { LocalEnvironmentOptions } from '../environment/local-environment.ts';
import type { ResolvedRuntime } from '../runtime/resolve-runtime.ts';
import { UserError } from '../util/user-error.ts';
import { containerTarget } from './container/container-target.ts';
import { processTarget } from './process/process-target.ts';
import { sandboxTarget } from './sandbox/sandbox-target.ts';

export type TargetName = 'process' | 'sandbox' | 'container';

export interface Target {
  readonly name: TargetName;
  /** Why this target cannot run on this machine (e.g. "bwrap not found"), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Prepare a runtime for this target (e.g. build its image); the result gives LocalEnvironment options. */
  prepare(runtime: ResolvedRuntime, opts: { emulate?: boolean }): Promise<PreparedTarget>;
}

export interface PreparedTarget {
  /** Merged into LocalEnvironment options for every environment of this runtime (mainly `launch`). */
  environment: LocalEnvironmentOptions;
  /** One line for logs and reports when the target does something worth saying (e.g. how it emulates). */
  note?: string;
  /** Release what prepare() made (images, temp dirs). Idempotent. */
  close(): Promise<void>;
}

/** Every target this build knows, by name. */
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
