/** `lambdaspec serve <runtime>`: a runtime behind a Lambda-accurate Invoke API, the RIE use case. */
import { EXIT } from '../lib/exit-codes.ts';
import { isIP } from 'node:net';
import { LocalEnvironment } from '../environment/local-environment.ts';
import { InvokeFront } from '../invoke/front.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { functionConfigFor } from '../runtime-definition/resolve-runtime.ts';
import { UserError } from '../lib/user-error.ts';
import type { LogLine } from '../model/invocation.ts';
import { scrub } from '../secrets/scrub.ts';
import { FUNCTION_FLAGS, functionOverrides, parseFlags, parsePort } from './args.ts';
import type { Io } from './io.ts';
import { prepareTarget, TARGET_FLAGS, TARGET_USAGE } from './target-flags.ts';

export const SERVE_USAGE = `lambdaspec serve <runtime> [options]

Serves <runtime> behind the Lambda Invoke API (Invoke and InvokeWithResponseStream), so curl or the AWS SDK can
call it as they would call Lambda. The function answers to its runtime name and to "function" (RIE's name).
A runtime.yaml with a streamingHandler also serves <name>-stream, the same runtime with that handler.
Each function also has a function URL, http://<host>:<port>/lambda-url/<name>/, and accepts
GetFunctionConfiguration / UpdateFunctionConfiguration (Environment, MemorySize, Timeout; an update makes the
next invocation a cold start), so 'lambdaspec run --target deployed --endpoint <url>' can test against it.

  --port <n>             port to listen on (default 9000; 0 picks a free one)
  --host <addr>          address to bind (default 127.0.0.1)
  --allow-remote         required to bind anything but a loopback address
  --timeout <duration>   function timeout (default 3s)
  --memory <MB>          memory size (default 128)
  --handler <name>       _HANDLER (default from runtime.yaml)
  --env KEY=VALUE        extra environment variable (repeatable)
${TARGET_USAGE}
  --no-prewarm           start the runtime on the first invoke instead of now`;

/** Lines of its own output a runtime that died during pre-warm gets to show, each cut to this many characters. */
const LAST_OUTPUT_LINES = 3;
const LAST_OUTPUT_CHARS = 200;

/**
 * The last few lines the runtime printed, as one line: its own explanation ("Python 3.11 not found in layer") is
 * usually all a user needs. JSON-quoted so control characters cannot break the line; credentials scrubbed.
 */
export function lastOutput(lines: readonly LogLine[]): string | undefined {
  const own = lines.filter((l) => l.stream !== 'platform' && l.text.trim() !== '').slice(-LAST_OUTPUT_LINES);
  if (own.length === 0) return undefined;
  return own.map((l) => JSON.stringify(scrub(l.text.trimEnd()).slice(0, LAST_OUTPUT_CHARS))).join(' / ');
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export async function serveCommand(argv: string[], io: Io, stop: Promise<void>): Promise<number> {
  const { values, positionals } = parseFlags('serve', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    ...FUNCTION_FLAGS,
    ...TARGET_FLAGS,
    'no-prewarm': { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UserError("serve: expected exactly one <runtime> (see 'lambdaspec serve --help')");
  const host = values.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    if (!values['allow-remote']) {
      throw new UserError(`serve: refusing to bind ${host}: only loopback addresses unless --allow-remote is given`);
    }
    io.err(`warning: binding ${host}: the Invoke API has no authentication; anyone who can reach it can run the function\n`);
  }
  const port = values.port === undefined ? 9000 : parsePort('port', values.port);
  const [runtime] = (await prepareRuntimes([positionals[0]!], (l) => io.err(`${l}\n`))).ready;
  if (!runtime) throw new UserError(`runtime ${positionals[0]} cannot run here`);
  const overrides = functionOverrides(values);
  const config = functionConfigFor(runtime, overrides);
  const prepared = await prepareTarget(values, runtime, io);
  // No wire recording: nothing reads it here, and a server running for days would keep every exchange.
  const env = await LocalEnvironment.create(config, { hostPath: process.env['PATH'] ?? '', record: false, ...prepared.environment });
  // Node's streamifyResponse handler is a function of its own: serve it under <name>-stream.
  const streamHandler = values.handler === undefined ? runtime.spec.streamingHandler : undefined;
  const streamName = `${config.functionName}-stream`;
  const streamEnv = streamHandler
    ? await LocalEnvironment.create(functionConfigFor(runtime, { ...overrides, functionName: streamName, handler: streamHandler }), {
        hostPath: process.env['PATH'] ?? '',
        record: false,
        ...prepared.environment,
      })
    : undefined;
  const front = new InvokeFront({
    host,
    port,
    resolve: (name) => (name === config.functionName || name === 'function' ? env : name === streamName ? streamEnv : undefined),
  });
  let url: string;
  try {
    ({ url } = await front.start());
  } catch (e) {
    await env.close();
    await streamEnv?.close();
    await prepared.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`serve: port ${port} on ${host} is already in use (try --port 0)`);
    throw new UserError(`serve: cannot listen on ${host}:${port}: ${code ?? (e instanceof Error ? e.message : String(e))}`);
  }
  if (!values['no-prewarm']) {
    const record = await env.init();
    if (record.spawnFailure) io.err(`warning: the runtime could not start: ${record.spawnFailure.errorMessage}\n`);
    else if (record.exit) {
      const how = record.exit.signal ? `signal ${record.exit.signal}` : `exit status ${record.exit.code ?? 'unknown'}`;
      const said = lastOutput(env.logs());
      io.err(
        `warning: the runtime exited during init (${how})${said ? `; its last output: ${said}` : ', printing nothing'}; invocations will report it\n`,
      );
    }
  }
  io.out(
    [
      `Serving ${config.functionName} (${runtime.bootstrap}) at ${url}`,
      `Runtime API for this environment: http://${env.api.address}`,
      '',
      'Invoke it:',
      `  curl -sS -X POST '${url}/2015-03-31/functions/${config.functionName}/invocations' \\`,
      `    -H 'X-Amz-Log-Type: Tail' -d '{"probe":"echo","payload":"hello"}' -D -`,
      'or with the AWS SDK / CLI: endpoint ' + url + ', any region and dummy credentials.',
      ...(streamEnv ? [`Streaming handler (${streamHandler}) as function ${streamName}.`] : []),
      `Function URL: ${url}/lambda-url/${config.functionName}/`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await stop;
  await front.close();
  await env.close();
  await streamEnv?.close();
  await prepared.close();
  return EXIT.OK;
}
