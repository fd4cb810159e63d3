/**
 * A small real run for the HTML views' tests: a few conformance cases against the flawed fixture runtime, each with
 * the flaw its case exists to catch, so the report holds real failures with real wire exchanges (chunked streams,
 * error posts, runtime exits) next to passes and skips.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildReport } from '../reports/build-report.ts';
import type { CaseReport, RunReport } from '../model/report-model.ts';
import { resolveRuntime, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { runCase, skippedCase } from '../scenarios/case-runner.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../scenarios/suite-loader.ts';

const FLAWED = fileURLToPath(new URL('./fixtures/flawed-runtime', import.meta.url));

/** case id → flaw to run it with ('' runs the runtime without a flaw: a pass). */
export const FLAWED_CASES: ReadonlyArray<readonly [string, string]> = [
  ['streaming.incremental', 'buffer-stream'],
  ['streaming.error-trailers', 'no-error-trailers'],
  ['error.type-header', 'no-error-type-header'],
  ['events.invalid-json-not-passed', 'raw-event-to-handler'],
  ['error.keeps-serving', 'exit-after-error'],
  ['next.keeps-polling', ''],
  ['response.utf8-exact', ''],
];

/** `withFlaws: false` runs the same cases on the runtime without its flaws, reported under `name`. */
export async function flawedRun(options: { withFlaws?: boolean; name?: string } = {}): Promise<RunReport> {
  const { cases } = loadSuites([DEFAULT_SUITE_DIR]);
  const resolved = resolveRuntime(FLAWED);
  const base: ResolvedRuntime = options.name ? { ...resolved, spec: { ...resolved.spec, name: options.name } } : resolved;
  const withFlaws = options.withFlaws ?? true;
  const markers: string[] = [];
  const startedAt = new Date();
  const reports: CaseReport[] = [];
  try {
    for (const [id, flaw] of FLAWED_CASES) {
      const c = cases.find((k) => k.id === id);
      if (!c) throw new Error(`no case ${id} in ${DEFAULT_SUITE_DIR}`);
      const marker = randomUUID();
      markers.push(marker);
      const rt: ResolvedRuntime = { ...base, spec: { ...base.spec, environment: { FLAW: withFlaws ? flaw : '', FLAW_MARKER: marker } } };
      reports.push(await runCase(c, rt));
    }
    const skipMe = cases.find((k) => k.id === 'lifecycle.timeout-reset') ?? cases[0]!;
    reports.push(skippedCase(skipMe, 'filtered out: not part of this sample run'));
  } finally {
    for (const m of markers) rmSync(`/tmp/lambdaspec-flawed-reinit-${m}`, { force: true });
  }
  return buildReport({
    runtime: base,
    cases: reports,
    startedAt,
    finishedAt: new Date(),
    strict: false,
    suites: [DEFAULT_SUITE_DIR],
    jobs: 1,
    interrupted: false,
  });
}
