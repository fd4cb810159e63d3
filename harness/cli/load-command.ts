/** `lambdaspec load <runtime> | --url <url>`: a bounded load test, written to reports/load/<runtime>.json. */
import { EXIT } from '../lib/exit-codes.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfile } from '../load/load-profile.ts';
import { loadMarkdown } from '../load/load-markdown.ts';
import type { LoadEngine } from '../load/load-model.ts';
import { resolveLoadOptions } from '../load/load-options.ts';
import { runLoad, type LoadTarget } from '../load/run-load.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { functionConfigFor, REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { loadReportHtml } from '../reports/html/perf-pages.ts';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';
import { FUNCTION_FLAGS, functionOverrides, parseFlags, parseHttpUrl, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';

export const LOAD_USAGE = `lambdaspec load <runtime> --concurrency N (--duration 30s | --requests K) [options]
lambdaspec load --url <function-url> --concurrency N (--duration 30s | --requests K) [options]

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
  --out <file>           report path (default reports/load/<runtime>.json)
  --timeout, --memory, --handler, --env   function configuration, as for serve`;

export async function loadCommand(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('load', argv, {
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
  checkOutputPath('out', values.out, 'file');
  const options = resolveLoadOptions({
    ...(values.concurrency !== undefined ? { concurrency: parsePositiveInt('concurrency', values.concurrency)! } : {}),
    ...(values.rate !== undefined ? { rate: parsePositiveInt('rate', values.rate)! } : {}),
    ...(values.duration !== undefined ? { durationMs: parseDurationFlag('duration', values.duration) } : {}),
    ...(values.requests !== undefined ? { requests: parsePositiveInt('requests', values.requests)! } : {}),
    ...(values.event !== undefined ? { event: readEvent(values.event) } : {}),
    ...(values.profile !== undefined ? { profile: loadProfile(values.profile) } : {}),
    localEnvironments: values.url === undefined,
  });
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
  const report = await runLoad({ target, options, engine, ...(signal ? { signal } : {}), log: (l) => io.err(`${l}\n`) });
  const out = values.out ?? join(REPO_ROOT, 'reports', 'load', `${name}.json`);
  writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
  const html = `${out.replace(/\.json$/i, '')}.html`;
  writeFileAtomic(html, loadReportHtml(report));
  io.out(`${loadMarkdown(report)}\nwritten to ${out} and ${html}\n`);
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
