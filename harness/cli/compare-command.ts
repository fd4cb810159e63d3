/** `lambdaspec compare <baseline.json> <current.json>`: two bench reports, metric by metric, with the noise accounted for. */
import { EXIT } from '../lib/exit-codes.ts';
import { resolve } from 'node:path';
import { renderComparisonMarkdown } from '../bench/bench-markdown.ts';
import { compareReports, readBenchReport } from '../bench/compare.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags } from './args.ts';
import type { Io } from './io.ts';

export const COMPARE_USAGE = `lambdaspec compare <baseline.json> <current.json> [options]

Compares two bench reports (summary.json or <runtime>.json of lambdaspec bench), metric by metric: the ratio of
medians current / baseline with its bootstrap confidence interval, and a verdict — regression, improvement or
no change — that counts only a change whose whole interval lies beyond the threshold.

  --max-regression <pct>   threshold in percent (default 10)
  --seed <n>               seed of the bootstrap (default 1): the same inputs always give the same intervals
  --resamples <n>          bootstrap resamples (default 2000)
  --confidence <level>     confidence level of the interval (default 0.95)
  --json <file>            also write the comparison as JSON

Exit status: 0, 1 when a runtime metric regressed, 2 on bad input.`;

function numberFlag(flag: string, value: string | undefined, fallback: number, ok: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UserError(`--${flag}: "${value}" is not valid`);
  return n;
}

export function compareCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseFlags('compare', argv, {
    'max-regression': { type: 'string' },
    seed: { type: 'string' },
    resamples: { type: 'string' },
    confidence: { type: 'string' },
    json: { type: 'string' },
  });
  if (positionals.length !== 2)
    throw new UserError(`compare takes two bench reports, got ${positionals.length} (see 'lambdaspec compare --help')`);
  checkOutputPath('json', values.json, 'file');
  const [a, b] = positionals.map((p) => resolve(p)) as [string, string];
  const options = {
    thresholdPct: numberFlag('max-regression', values['max-regression'], 10, (n) => n >= 0),
    seed: numberFlag('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0),
    resamples: numberFlag('resamples', values.resamples, 2000, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000),
    confidence: numberFlag('confidence', values.confidence, 0.95, (n) => n > 0 && n < 1),
    baselinePath: a,
    currentPath: b,
  };
  const comparison = compareReports(readBenchReport(a), readBenchReport(b), options);
  io.out(renderComparisonMarkdown(comparison));
  if (values.json) writeScrubbedFile(resolve(values.json), `${JSON.stringify(comparison, null, 2)}\n`);
  return comparison.failed ? EXIT.FAILED : EXIT.OK;
}
