/**
 * `lambdaspec load fold <outputs…>`: the per-instance outputs of one k6 test run elsewhere (k6-operator runner pods'
 * logs, or summary files) merged into one LoadReport, exactly as a local `--segments` run is folded.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { UserError } from '../lib/user-error.ts';
import { foldK6Summaries, readK6Outputs } from './k6-fold.ts';
import { generateK6Script, type K6ScriptMeta } from './k6-script.ts';
import type { LoadReport } from './load-model.ts';
import { k6LoadReport } from './run-load.ts';

export function foldLoadOutputs(paths: readonly string[]): LoadReport {
  if (paths.length === 0) throw new UserError('load fold: name the outputs to merge (runner logs or summary files)');
  const outputs = paths.flatMap((p) => readK6Outputs(p));
  const metas = outputs.flatMap((o) => (o.meta ? [o.meta] : []));
  const meta: K6ScriptMeta | undefined = metas[0];
  if (!meta) {
    throw new UserError(
      'load fold: no output says which test it ran (no lambdaspec key): fold merges what a script from `load --engine k6 --export` printed',
    );
  }
  const other = metas.find((m) => canonicalJson(m) !== canonicalJson(meta));
  if (other)
    throw new UserError(
      `load fold: the outputs come from different tests (${meta.url} and ${other.url}, or other options): fold one run at a time`,
    );
  const fold = foldK6Summaries(outputs, meta.options.model);
  const base = {
    format: 'lambdaspec.load/v1' as const,
    engine: 'k6' as const,
    runtime: null,
    target: { kind: meta.invokeApi ? ('invoke-api' as const) : ('url' as const), url: meta.url },
    startedAt: new Date().toISOString(),
    options: meta.options,
  };
  const notes = [
    `folded from ${outputs.length} k6 summaries in ${paths.length} file(s) by lambdaspec load fold; startedAt is when they were folded`,
  ];
  const script = generateK6Script(meta.options, {
    url: meta.url,
    invokeApi: meta.invokeApi,
    summaryToStdout: true,
    ...(meta.iterationHeader ? { iterationHeader: true } : {}),
  });
  const unknown = { fromLogTail: null, fromEnvironments: null, environmentsCreated: null, processesStarted: null };
  return k6LoadReport(base, fold, notes, { version: 'as run by the runners', script }, unknown);
}
