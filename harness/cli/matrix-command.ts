/** `lambdaspec matrix [runtime…]`: the conformance suite on every runtime, as one case × runtime grid. */
import { EXIT } from '../lib/exit-codes.ts';
import os from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { buildReport } from '../reports/build-report.ts';
import { writeReports } from '../reports/write-reports.ts';
import { renderMatrixHtml } from '../reports/html/matrix-html.ts';
import { buildMatrix, renderMatrixMarkdown, type Matrix } from '../reports/matrix.ts';
import { readReportsForMatrix } from '../reports/reports-from-files.ts';
import { suiteIdentity } from '../scenarios/suite-digest.ts';
import { UserError } from '../lib/user-error.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { skippedCase } from '../scenarios/case-runner.ts';
import { DEFAULT_SUITE_DIR } from '../scenarios/suite-loader.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { loadSelectedCases, runOnRuntimes } from './run-command.ts';
import { TARGET_FLAGS, TARGET_USAGE, targetFromFlags, withoutForeignArchitectures } from './target-flags.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

export const MATRIX_USAGE = `lambdaspec matrix [runtime…] [options]

Runs the conformance suite on each runtime (default: every bundled runtime), writes each runtime's reports to
reports/<runtime>/ and the grid to reports/matrix/matrix.json, matrix.md and matrix.html.
With --from, runs nothing: the grid is built from report.json files made elsewhere (one CI job per runtime,
architecture or target), which must all have run the same suite (the suite digest in each report).

  --suite <dir|file>   suite to run (repeatable; default suites/conformance)
  --out <dir>          where the matrix goes (default reports/matrix)
  --jobs <n>           cases run in parallel (default: number of CPUs)
  --from <report.json> build the matrix from this report (repeatable; no runtime names, no run)
${TARGET_USAGE}

Exit status: 0 when the matrix was written (verdicts are its content, not failures), 2 on bad input, 130 interrupted.`;

/** matrix.json, matrix.md and matrix.html; each cell links to its runtime's report.html, relative to `out`. */
function writeMatrix(matrix: Matrix, out: string, htmlReports: ReadonlyMap<string, string>): void {
  writeScrubbedFile(join(out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeScrubbedFile(join(out, 'matrix.md'), renderMatrixMarkdown(matrix));
  const href = (name: string): string | undefined => {
    const html = htmlReports.get(name);
    return html === undefined ? undefined : relative(out, html).split(sep).join('/');
  };
  writeScrubbedFile(join(out, 'matrix.html'), renderMatrixHtml(matrix, { reportHref: href }));
}

export async function matrixCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('matrix', argv, {
    suite: { type: 'string', multiple: true },
    out: { type: 'string' },
    jobs: { type: 'string' },
    from: { type: 'string', multiple: true },
    ...TARGET_FLAGS,
  });
  checkOutputPath('out', values.out, 'folder');
  const out = values.out ? resolve(values.out) : defaultReportPath('matrix');
  if (values.from) {
    if (positionals.length > 0 || values.suite || values.jobs || values.target || values.emulate) {
      throw new UserError('matrix --from builds the grid from reports: it takes no runtime names, --suite, --jobs, --target or --emulate');
    }
    const files = readReportsForMatrix(values.from.map((f) => resolve(f)));
    const matrix = buildMatrix(
      files.map((f) => f.report),
      new Date(),
    );
    writeMatrix(matrix, out, new Map(files.flatMap((f) => (f.html ? [[f.report.runtime.name, f.html] as const] : []))));
    io.out(
      `matrix of ${matrix.rows.length} cases × ${matrix.runtimes.length} runtimes from ${files.length} reports → ${join(out, 'matrix.md')}\n`,
    );
    return EXIT.OK;
  }
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
    reportDir: (rt) => defaultReportPath(rt.spec.name),
    signal,
    io,
    target,
    emulate: values.emulate === true,
  });
  if (signal.aborted) return EXIT.INTERRUPTED;
  // A runtime that cannot run here still gets its column: every case skipped, with the reason.
  const skippedReports = skipped.map(({ runtime, reason }) =>
    buildReport({
      runtime,
      cases: cases.map((c) => skippedCase(c, reason)),
      startedAt: new Date(),
      finishedAt: new Date(),
      strict: false,
      suites,
      suite: suiteIdentity(cases),
      jobs,
      interrupted: false,
      target: target.name,
    }),
  );
  // Written like the others, so `matrix --from reports/*/report.json` rebuilds this very matrix.
  const skippedWritten = skippedReports.map((r) => [r.runtime.name, writeReports(r, defaultReportPath(r.runtime.name)).html] as const);
  const matrix = buildMatrix([...outcomes.map((o) => o.report), ...skippedReports], new Date());
  writeMatrix(matrix, out, new Map([...outcomes.map((o) => [o.runtime.spec.name, o.written.html] as const), ...skippedWritten]));
  io.out(`matrix of ${matrix.rows.length} cases × ${matrix.runtimes.length} runtimes → ${join(out, 'matrix.md')}\n`);
  return EXIT.OK;
}
