/**
 * Where a runtime's bootstrap runs: a plain local process, a bubblewrap sandbox shaped like a Lambda execution
 * environment, or a container. A target turns a runtime into LocalEnvironment options (mainly its launcher).
 */
import type { LocalEnvironmentOptions } from '../../environment/local-environment.ts';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';

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
