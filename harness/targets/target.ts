/** Where a runtime runs: a plain local process, a bubblewrap sandbox, or a container. */
import type { LocalEnvironmentOptions } from '../environment/local-environment.ts';
import type { ResolvedRuntime } from '../runtime/resolve-runtime.ts';

export type TargetName = 'process' | 'sandbox' | 'container';
export interface Target {
  readonly name: TargetName;
  /** Why this target cannot run on this machine (e.g. "no Docker engine"), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Prepare a runtime for this target (e.g. build its image); the result gives LocalEnvironment options. */
  prepare(runtime: ResolvedRuntime, opts: { emulate?: boolean }): Promise<PreparedTarget>;
}
export interface PreparedTarget {
  /** Merged into LocalEnvironment options for every environment of this runtime (mainly `launch`). */
  environment: LocalEnvironmentOptions;
  /** Release what prepare() made (images, temp dirs). Idempotent. */
  close(): Promise<void>;
}
