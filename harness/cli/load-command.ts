/** `lambdaspec load <runtime> | --url <url>`: a bounded load test, written to reports/load/<runtime>.json. */
import { EXIT } from '../lib/exit-codes.ts';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeK6Export } from '../load/k6-export.ts';
import { foldLoadOutputs } from '../load/load-fold.ts';
import { loadProfile } from '../load/load-profile.ts';
import { loadMarkdown } from '../load/load-markdown.ts';
import type { LoadEngine, LoadOptions, LoadReport } from '../load/load-model.ts';
import { resolveLoadOptions } from '../load/load-options.ts';
import { runLoad, type LoadTarget } from '../load/run-load.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { functionConfigFor } from '../runtime-definition/resolve-runtime.ts';
import { loadReportHtml } from '../reports/html/perf-pages.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';
import { FUNCTION_FLAGS, functionOverrides, parseFlags, parseHttpUrl, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

export const LOAD_USAGE = `lambdaspec load <runtime> --concurrency N (--duration 30s | --requests K) [options]
lambdaspec load --url <function-url> --concurrency N (--duration 30s | --requests K) [options]
lambdaspec load fold <output…> [--out report.json]

Serves <runtime> with N execution environments (N runtime processes, created on demand: each first use is a cold
start) behind the Lambda Invoke API on 127.0.0.1 and loads it; or POSTs the event to --url.

  --concurrency <n>      workers / requests in flight, and execution environments (cap 64 local, 512 --url)
  --duration <time>      stop after this long (cap 10m)
  --requests <n>         stop after this many requests (cap 500000)
  --rate <r>             open model: r requests per second on a fixed schedule (latency also corrected for
                         coordinated omission); without it, closed model (workers back to back)
  --engine builtin|k6    the built-in undici generator (default) or k6 (needs k6 on PATH or in ~/go/bin)
  --profile <file.yaml>  a load profile (suites/load/*.yaml); flags override it
  --event <file>         JSON event to send (default {"probe":"echo",...})
  --url <url>            load any HTTP endpoint (e.g. a deployed function URL) instead of a local runtime
  --iteration-header     k6: send X-Lambdaspec-Iteration (the iteration number, unique across segments) with
                         every request, so an endpoint can key behaviour on it (costs k6 about a sixth of its rate)
  --segments <n>         k6: run the test as n k6 instances on this machine (2–16), each with its execution
                         segment, folded into one report with a per-segment breakdown (k6.segments)
  --export <dir>         k6: write the test for a Kubernetes cluster (k6-operator TestRun, ConfigMap, script,
                         README) instead of running it; needs --url (the cluster cannot reach 127.0.0.1 here)
  --parallelism <n>      with --export: runner pods (default 1, at most 1000)
  --out <file>           report path (default reports/load/<runtime>.json)

'load fold' merges the outputs of an exported test (the runner pods' logs, 'kubectl logs -l k6_cr=<name>'):
counts and errors add exactly, latency quantiles are read from the summed bucket counters (within 1.6 %).
  --timeout, --memory, --handler, --env   function configuration, as for serve`;

export async function loadCommand(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  if (argv[0] === 'fold') return foldCommand(argv.slice(1), io);
  const { values, positionals } = parseFlags('load', argv, {
    segments: { type: 'string' },
    'iteration-header': { type: 'boolean' },
    export: { type: 'string' },
    parallelism: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    rate: { type: 'string' },
    engine: { type: 'string' },
    profile: { type: 'string' },
    event: { type: 'string' },
    url: { type: 'string' },
    out: { type: 'string' },
    ...FUNCTION_FLAGS,
  });
  const engine = (values.engine ?? 'builtin') as LoadEngine;
  if (engine !== 'builtin' && engine !== 'k6') throw new UserError(`load: --engine must be builtin or k6, not "${values.engine}"`);
  if (values.url !== undefined ? positionals.length !== 0 : positionals.length !== 1) {
    throw new UserError(`load: expected exactly one <runtime>, or --url without one (see 'lambdaspec load --help')`);
  }
  if (values.url !== undefined) parseHttpUrl('url', values.url);
  const segments = parseBounded('segments', values.segments, 1, 16);
  if (segments !== undefined && engine !== 'k6') throw new UserError('load: --segments splits a k6 test: it needs --engine k6');
  if (values.parallelism !== undefined && values.export === undefined) throw new UserError('load: --parallelism is for --export');
  if (values.export !== undefined) {
    if (engine !== 'k6') throw new UserError('load: --export writes a k6 test: it needs --engine k6');
    if (values.url === undefined)
      throw new UserError('load: --export needs --url: pods in a cluster cannot reach a runtime served on this machine');
    if (segments !== undefined)
      throw new UserError('load: --export and --segments: on a cluster, --parallelism sets the number of instances');
  }
  checkOutputPath('out', values.out, 'file');
  checkOutputPath('export', values.export, 'folder');
  const options = resolveLoadOptions({
    ...(values.concurrency !== undefined ? { concurrency: parsePositiveInt('concurrency', values.concurrency)! } : {}),
    ...(values.rate !== undefined ? { rate: parsePositiveInt('rate', values.rate)! } : {}),
    ...(values.duration !== undefined ? { durationMs: parseDurationFlag('duration', values.duration) } : {}),
    ...(values.requests !== undefined ? { requests: parsePositiveInt('requests', values.requests)! } : {}),
    ...(values.event !== undefined ? { event: readEvent(values.event) } : {}),
    ...(values.profile !== undefined ? { profile: loadProfile(values.profile) } : {}),
    localEnvironments: values.url === undefined,
  });
  if (values.export !== undefined)
    return exportCommand(
      values.export,
      values.url!,
      options,
      parseBounded('parallelism', values.parallelism, 1, 1000) ?? 1,
      values.profile,
      values['iteration-header'] === true,
      io,
    );
  let target: LoadTarget;
  let name: string;
  if (values.url !== undefined) {
    target = { kind: 'url', url: values.url };
    name = 'url';
  } else {
    const [runtime] = (await prepareRuntimes([positionals[0]!], (l) => io.err(`${l}\n`))).ready;
    if (!runtime) throw new UserError(`runtime ${positionals[0]} cannot run here`);
    const config = functionConfigFor(runtime, functionOverrides(values));
    target = { kind: 'runtime', runtime: runtime.spec.name, config };
    name = runtime.spec.name;
  }
  for (const c of options.capped) io.err(`warning: ${c}\n`);
  const report = await runLoad({
    target,
    options,
    engine,
    ...(segments ? { segments } : {}),
    ...(values['iteration-header'] ? { iterationHeader: true } : {}),
    ...(signal ? { signal } : {}),
    log: (l) => io.err(`${l}\n`),
  });
  writeLoadReport(report, values.out ?? defaultReportPath('load', `${name}.json`), io);
  return EXIT.OK;
}

function writeLoadReport(report: LoadReport, out: string, io: Io): void {
  writeScrubbedFile(out, `${JSON.stringify(report, null, 2)}\n`);
  const html = `${out.replace(/\.json$/i, '')}.html`;
  writeScrubbedFile(html, loadReportHtml(report));
  io.out(`${loadMarkdown(report)}\nwritten to ${out} and ${html}\n`);
}

function parseBounded(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  const n = parsePositiveInt(flag, value);
  if (n !== undefined && (n < min || n > max)) throw new UserError(`--${flag}: ${n} is out of range (${min}–${max})`);
  return n;
}

/** `load fold <outputs…>`: merge an exported test's per-instance outputs into one report. */
function foldCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseFlags('load fold', argv, { out: { type: 'string' } });
  checkOutputPath('out', values.out, 'file');
  const report = foldLoadOutputs(positionals.map((p) => resolve(p)));
  writeLoadReport(report, resolve(values.out ?? defaultReportPath('load', 'fold.json')), io);
  return EXIT.OK;
}

function exportCommand(
  dir: string,
  url: string,
  options: LoadOptions,
  parallelism: number,
  profile: string | undefined,
  iterationHeader: boolean,
  io: Io,
): number {
  // A DNS-1123 name for the TestRun and its ConfigMap, from the profile's file name when there is one.
  const stem = profile ? basename(profile).replace(/\.ya?ml$/i, '') : 'lambdaspec-load';
  const name =
    stem
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 52) || 'lambdaspec-load';
  const written = writeK6Export(resolve(dir), { options, url, invokeApi: false, parallelism, name, iterationHeader });
  io.out(
    `k6-operator test "${name}" (${parallelism} runner pod${parallelism === 1 ? '' : 's'}) written:\n${written.map((w) => `  ${w}`).join('\n')}\nnext: see ${join(resolve(dir), 'README.md')}\n`,
  );
  return EXIT.OK;
}

function readEvent(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`load: --event ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UserError(`load: --event ${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}
