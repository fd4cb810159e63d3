/**
 * Running a suite against one runtime: filtering, skipping what the runtime does not declare, running cases in
 * parallel across independent environments (bounded by `jobs`), stopping cleanly when interrupted.
 */
import type { LocalEnvironmentOptions } from '../environment/local-environment.ts';
import type { CaseReport } from '../model/report-model.ts';
import type { ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { runCase, skippedCase, skipReason, type CaseEnvironment, type CaseRunOptions } from './case-runner.ts';
import type { ScenarioCase } from './suite-model.ts';

/** `error.*`, `*.invalid-json`, `next.keeps-polling`: `*` matches any run of characters, `?` one. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function filterCases(cases: readonly ScenarioCase[], filters: readonly string[] | undefined): ScenarioCase[] {
  if (!filters || filters.length === 0) return [...cases];
  const res = filters.map(globToRegExp);
  return cases.filter((c) => res.some((r) => r.test(c.id)));
}

export interface SuiteRunOptions {
  jobs: number;
  /** Called as each case finishes (in completion order). */
  onCase?: (report: CaseReport, done: number, total: number) => void;
  /** When aborted, no new case starts, running ones are torn down, and only finished cases are returned. */
  signal?: AbortSignal;
  /** A further reason to skip a case on this target (e.g. not observable on a deployed function). */
  skip?: (c: ScenarioCase) => string | undefined;
  /** Options for every case's environment: how the target launches the bootstrap (see harness/targets/common/target.ts). */
  environment?: LocalEnvironmentOptions;
  /** Run cases against something else than a local environment (a deployed function). */
  caseOptions?: Pick<CaseRunOptions, 'environment' | 'createEnvironment'>;
}

/** The suite stopped early on an error that ends the run; `cases` holds the cases finished before it. */
export class SuiteStoppedError extends Error {
  readonly cases: CaseReport[];
  override readonly cause: unknown;
  constructor(cause: unknown, cases: CaseReport[]) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.cause = cause;
    this.cases = cases;
  }
}

export async function runSuite(cases: readonly ScenarioCase[], runtime: ResolvedRuntime, options: SuiteRunOptions): Promise<CaseReport[]> {
  const results = new Map<string, CaseReport>();
  const live = new Set<CaseEnvironment>();
  let stopped: { error: unknown } | undefined;
  let next = 0;
  let done = 0;
  const finish = (r: CaseReport): void => {
    results.set(r.id, r);
    done++;
    options.onCase?.(r, done, cases.length);
  };
  const onAbort = (): void => {
    for (const env of live) void env.close();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const worker = async (): Promise<void> => {
    while (!options.signal?.aborted) {
      const c = cases[next++];
      if (!c) return;
      if (stopped) return;
      const skip = skipReason(c, runtime) ?? options.skip?.(c);
      if (skip) {
        finish(skippedCase(c, skip));
        continue;
      }
      let env: CaseEnvironment | undefined;
      let report: CaseReport;
      try {
        report = await runCase(c, runtime, {
          ...options.caseOptions,
          ...(options.environment ? { environment: options.environment } : {}),
          onEnvironment: (e) => {
            env = e;
            live.add(e);
          },
        });
      } catch (e) {
        // An error that ends the run: no new case starts; cases in flight finish and are kept.
        stopped ??= { error: e };
        return;
      } finally {
        if (env) live.delete(env);
      }
      // A case cut short by the interrupt has no honest verdict: leave it out of the partial report.
      if (options.signal?.aborted) return;
      finish(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, cases.length)) }, () => worker()));
  options.signal?.removeEventListener('abort', onAbort);
  // Report in suite order, whatever order cases finished in.
  const ordered = cases.flatMap((c) => results.get(c.id) ?? []);
  if (stopped) throw new SuiteStoppedError(stopped.error, ordered);
  return ordered;
}
