/** `lambdaspec matrix [runtime…]`: the conformance suite on every runtime, as one case × runtime grid. */
import { EXIT } from '../lib/exit-codes.ts';
import os from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { buildReport } from '../reports/build-report.ts';
import { renderMatrixHtml } from '../reports/html/matrix-html.ts';
import { buildMatrix, renderMatrixMarkdown } from '../reports/matrix.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { skippedCase } from '../scenarios/case-runner.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR } from '../scenarios/suite-loader.ts';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { loadSelectedCases, runOnRuntimes } from './run-command.ts';
import { TARGET_FLAGS, TARGET_USAGE, targetFromFlags, withoutForeignArchitectures } from './target-flags.ts';

export const MATRIX_USAGE = `lambdaspec matrix [runtime…] [options]

Runs the conformance suite on each runtime (default: every bundled runtime), writes each runtime's reports to
reports/<runtime>/ and the grid to reports/matrix/matrix.json, matrix.md and matrix.html.

  --suite <dir|file>   suite to run (repeatable; default suites/conformance)
  --out <dir>          where the matrix goes (default reports/matrix)
  --jobs <n>           cases run in parallel (default: number of CPUs)
${TARGET_USAGE}

Exit status: 0 when the matrix was written (verdicts are its content, not failures), 2 on bad input, 130 interrupted.`;

export async function matrixCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('matrix', argv, {
    suite: { type: 'string', multiple: true },
    out: { type: 'string' },
    jobs: { type: 'string' },
    ...TARGET_FLAGS,
  });
  const target = await targetFromFlags(values);
  const prepared = await prepareRuntimes(positionals, (l) => io.err(`${l}\n`));
  const { runtimes, skipped } = withoutForeignArchitectures(prepared, values.emulate === true, (l) => io.err(`${l}\n`));
  const suites = values.suite ?? [DEFAULT_SUITE_DIR];
  const cases = loadSelectedCases(suites, undefined);
  const jobs = parsePositiveInt('jobs', values.jobs) ?? Math.max(1, os.cpus().length);
  const outcomes = await runOnRuntimes(runtimes, cases, {
    suites,
    strict: false,
    jobs,
    reportDir: (rt) => join(REPO_ROOT, 'reports', rt.spec.name),
    signal,
    io,
    target,
    emulate: values.emulate === true,
  });
  if (signal.aborted) return EXIT.INTERRUPTED;
  // A runtime that cannot run here still gets its column: every case skipped, with the reason.
  const skippedReports = skipped.map(({ runtime, reason }) =>
    buildReport({ runtime, cases: cases.map((c) => skippedCase(c, reason)), startedAt: new Date(), finishedAt: new Date(), strict: false, suites, jobs, interrupted: false, target: target.name }),
  );
  const deviations = Object.fromEntries([...runtimes, ...skipped.map((s) => s.runtime)].map((rt) => [rt.spec.name, rt.spec.deviations ?? {}]));
  const matrix = buildMatrix([...outcomes.map((o) => o.report), ...skippedReports], new Date(), deviations);
  const out = values.out ? resolve(values.out) : join(REPO_ROOT, 'reports', 'matrix');
  writeFileAtomic(join(out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileAtomic(join(out, 'matrix.md'), renderMatrixMarkdown(matrix));
  // Each cell links to its runtime's report.html, relative to wherever the matrix went.
  const htmlReports = new Map(outcomes.map((o) => [o.runtime.spec.name, relative(out, o.written.html).split(sep).join('/')]));
  writeFileAtomic(join(out, 'matrix.html'), renderMatrixHtml(matrix, { reportHref: (name) => htmlReports.get(name) }));
  io.out(`matrix of ${matrix.rows.length} cases × ${matrix.runtimes.length} runtimes → ${join(out, 'matrix.md')}\n`);
  return EXIT.OK;
}
