/** `lambdaspec invoke <runtime>`: one invocation, its result, its log tail, and optionally the wire recording. */
import { EXIT } from '../lib/exit-codes.ts';
import { readFileSync, statSync } from 'node:fs';
import { checkOutputPath } from '../lib/output-path.ts';
import { LocalEnvironment } from '../environment/local-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { functionConfigFor } from '../runtime-definition/resolve-runtime.ts';
import { scrubBytes, scrubbedRecordingJson } from '../secrets/scrub.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { UserError } from '../lib/user-error.ts';
import { deliveredPayload, payloadRejection } from '../invoke/invoke-payload.ts';
import { FUNCTION_FLAGS, functionOverrides, parseFlags, parseHttpUrl } from './args.ts';
import type { Io } from './io.ts';
import { droppedSummary } from '../reports/dropped-output.ts';
import { prepareTarget, TARGET_FLAGS, TARGET_USAGE } from './target-flags.ts';

export const INVOKE_USAGE = `lambdaspec invoke <runtime> [options]
lambdaspec invoke --url <function-url> [--event file] [--method M] [--header 'Name: value']

Runs <runtime> (a folder with runtime.yaml, a bootstrap path, or a bundled runtime name) in a fresh
execution environment, sends one event, and prints the response body on stdout and the log tail on stderr.

  --event <file|->        event file, or - for stdin (default: {}); checked as Lambda's Invoke API checks it:
                          over 6 MiB or not JSON is refused (exit 2), an empty event is delivered as {}
  --raw                   deliver the event (and --client-context) byte for byte, unchecked: fault injection
                          with payloads the Invoke API would never hand a runtime (oversized, non-JSON, empty)
  --record <out.json>     save the wire recording (every Runtime API exchange, byte for byte)
  --stream                print response chunks as they arrive
  --timeout <duration>    function timeout (default 3s)
  --memory <MB>           AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128)
  --handler <name>        _HANDLER (default from runtime.yaml)
  --env KEY=VALUE         extra environment variable (repeatable)
${TARGET_USAGE}
  --client-context <json> Lambda-Runtime-Client-Context
  --tenant-id <id>        Lambda-Runtime-Aws-Tenant-Id
  --quiet                 print only the response body

With --url, the event is sent as the HTTP request body to a function URL (deployed, or 'lambdaspec serve' at
http://127.0.0.1:<port>/lambda-url/<function>/): the status, headers and cookies the function's HTTP-integration
prelude turned into, and the body as it streams, with chunk arrival times.

Exit status: 0 when the invocation succeeded, 1 when it failed (function error, timeout, crash), 2 on bad input.`;

export async function invokeCommand(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags('invoke', argv, {
    event: { type: 'string' },
    raw: { type: 'boolean' },
    record: { type: 'string' },
    stream: { type: 'boolean' },
    ...FUNCTION_FLAGS,
    ...TARGET_FLAGS,
    'client-context': { type: 'string' },
    'tenant-id': { type: 'string' },
    quiet: { type: 'boolean' },
    url: { type: 'string' },
    method: { type: 'string' },
    header: { type: 'string', multiple: true },
  });
  if (values.url !== undefined) {
    if (positionals.length > 0) throw new UserError('invoke --url calls a function URL: name no <runtime>');
    if (values.raw) throw new UserError('--raw is for invoke <runtime>: a function URL gets the request body as sent');
    return invokeUrl(values.url, { event: values.event, method: values.method, header: values.header, quiet: values.quiet === true }, io);
  }
  if (values.method !== undefined || values.header !== undefined) throw new UserError('--method and --header are for invoke --url');
  checkOutputPath('record', values.record, 'file');
  if (positionals.length !== 1)
    throw new UserError(`invoke: expected exactly one <runtime>, got ${positionals.length} (see 'lambdaspec invoke --help')`);
  const payload = checkedEvent(await readEvent(values.event, io), values.event, values.raw === true);
  const [runtime] = (await prepareRuntimes([positionals[0]!], (l) => io.err(`${l}\n`))).ready;
  if (!runtime) throw new UserError(`runtime ${positionals[0]} cannot run here`);
  const clientContext = values['client-context'];
  // The Invoke API accepts only base64 of a JSON object in X-Amz-Client-Context (400 InvalidRequestContentException).
  if (clientContext !== undefined && values.raw !== true && !isJsonObject(clientContext)) {
    throw new UserError(`--client-context: Lambda accepts only a JSON object, got ${clientContext} (--raw delivers it anyway)`);
  }
  const config = functionConfigFor(runtime, functionOverrides(values));

  const prepared = await prepareTarget(values, runtime, io);
  const env = await LocalEnvironment.create(config, { hostPath: process.env['PATH'] ?? '', ...prepared.environment });
  // Ctrl-C / SIGTERM: stop the runtime, so the invocation ends now (main exits 130).
  const onAbort = (): void => void env.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  let result: InvocationResult;
  try {
    result = await env.invoke(
      {
        payload,
        ...(clientContext !== undefined ? { clientContext } : {}),
        ...(values['tenant-id'] !== undefined ? { tenantId: values['tenant-id'] } : {}),
      },
      values.stream ? { onChunk: (bytes) => io.outBytes(bytes) } : {},
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await env.close();
    await prepared.close();
    if (values.record) writeScrubbedFile(values.record, `${JSON.stringify(scrubbedRecordingJson(env.recording()), null, 2)}\n`);
  }

  const streamedOut = values.stream && result.outcome.kind === 'response';
  // The body as text goes through the same scrubbing as every printed line (chunks printed live with --stream cannot).
  if (!streamedOut) io.outBytes(scrubBytes(result.payload));
  if (result.payload.length > 0 && !result.payload.subarray(-1).equals(Buffer.from('\n'))) io.out('\n');
  if (!values.quiet) {
    io.err(`${describeOutcome(result)}\n`);
    // Dropped lines are the oldest: say so above the lines that were kept.
    for (const p of env.processes()) {
      const dropped = p.outputDropped && droppedSummary(p.outputDropped);
      if (dropped) io.err(`  … ${dropped} (runtime output over the harness's capture budget)\n`);
    }
    for (const line of result.logs) io.err(`  ${line.text}\n`);
    if (values.record) io.err(`recording written to ${values.record}\n`);
  }
  return failed(result) ? EXIT.FAILED : EXIT.OK;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** A stream that ended with error trailers failed, though Lambda reports it as a response (InvokeComplete.ErrorCode). */
function failed(r: InvocationResult): boolean {
  return r.functionError !== undefined || (r.outcome.kind === 'response' && r.outcome.streamError !== undefined);
}

/** The event as the Invoke API would hand it to the runtime, or one line saying why Lambda would refuse it. */
function checkedEvent(payload: Buffer, source: string | undefined, raw: boolean): Buffer {
  if (raw) return payload;
  const rejected = payloadRejection(payload);
  if (rejected) {
    const where = source === undefined ? 'the event' : source === '-' ? '--event - (stdin)' : `--event ${source}`;
    throw new UserError(
      `${where}: Lambda would refuse it: ${rejected.status} ${rejected.errorType}: ${rejected.message} (--raw delivers it anyway)`,
    );
  }
  return deliveredPayload(payload);
}

function describeOutcome(r: InvocationResult): string {
  const o = r.outcome;
  switch (o.kind) {
    case 'response':
      if (o.streamError) {
        return `mid-stream error ${o.streamError.errorType} after ${o.chunks.length} chunk(s) (InvokeComplete ErrorCode: ${o.streamError.errorType}; ErrorDetails: ${o.streamError.errorBody}) (request ${r.requestId})`;
      }
      return `ok: ${o.streamed ? `streamed response, ${o.chunks.length} chunk(s)` : 'response'} (request ${r.requestId}${r.coldStart ? ', cold start' : ''})`;
    case 'function-error':
      return `function error (X-Amz-Function-Error: Unhandled${o.errorTypeHeader ? `, Lambda-Runtime-Function-Error-Type: ${o.errorTypeHeader}` : ''}) (request ${r.requestId})`;
    case 'platform-error':
      return `${o.error.errorType}: ${o.error.errorMessage}`;
  }
}

async function readEvent(source: string | undefined, io: Io): Promise<Buffer> {
  if (source === undefined) return Buffer.from('{}');
  if (source === '-') return io.readStdin();
  let isDirectory: boolean;
  try {
    isDirectory = statSync(source).isDirectory();
  } catch {
    throw new UserError(`--event: file ${source} does not exist`);
  }
  // A pipe (--event <(…)) is fine; a folder would surface as EISDIR with a stack trace.
  if (isDirectory) throw new UserError(`--event ${source}: is a folder, not a file`);
  try {
    return readFileSync(source);
  } catch (e) {
    throw new UserError(`--event ${source}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

async function invokeUrl(
  url: string,
  o: { event: string | undefined; method: string | undefined; header: string[] | undefined; quiet: boolean },
  io: Io,
): Promise<number> {
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UserError(`--header: "${h}" is not 'Name: value'`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const body = await readEvent(o.event, io);
  // Loaded here: undici is only needed for --url.
  const { callFunctionUrl } = await import('../remote/deployed/function-url-client.ts');
  const r = await callFunctionUrl(
    parseHttpUrl('url', url),
    { ...(o.method !== undefined ? { method: o.method } : {}), headers, body },
    (bytes) => io.outBytes(bytes),
  );
  if (r.body.length > 0 && !r.body.subarray(-1).equals(Buffer.from('\n'))) io.out('\n');
  if (!o.quiet) {
    io.err(
      `HTTP ${r.status}, ${r.chunks.length} chunk(s), ${r.body.length} bytes, head after ${r.headMs.toFixed(1)} ms, done after ${r.doneMs.toFixed(1)} ms${r.truncated ? ' — the body was cut off (mid-stream error)' : ''}\n`,
    );
    for (const [k, v] of Object.entries(r.headers)) for (const value of Array.isArray(v) ? v : [v]) io.err(`  ${k}: ${value}\n`);
    r.chunks.forEach((c, i) => io.err(`  chunk ${i + 1}: ${c.size} bytes at ${c.at.toFixed(1)} ms\n`));
  }
  return r.status >= 200 && r.status < 300 && !r.truncated ? 0 : 1;
}
