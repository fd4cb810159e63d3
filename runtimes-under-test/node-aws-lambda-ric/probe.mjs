// The probe handler (shared/probe-contract.md) for AWS's Node runtime interface client, twice, as Node functions
// choose: `handler` is buffered (errors go to /error); `streamHandler` is wrapped in awslambda.streamifyResponse,
// so every response it gives is streamed and every error — even one before any output — goes out as trailers.
// runtime.yaml names streamHandler for the streaming cases.
import { setTimeout as sleep } from 'node:timers/promises';

if (process.env.PROBE_INIT_SLEEP_MS) await sleep(Number(process.env.PROBE_INIT_SLEEP_MS));
if (process.env.PROBE_INIT_FAIL === '1') {
  const error = new Error('PROBE_INIT_FAIL=1: init fails on purpose');
  error.name = 'Probe.InitFailed';
  throw error;
}

let invocations = 0;
const ENV_KEYS = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_REGION', '_HANDLER', 'LAMBDA_TASK_ROOT'];

function probeError(type, message) {
  const error = new Error(message);
  error.name = type; // the client reports errorType from the error's name
  return error;
}

export async function handler(event, context) {
  invocations += 1;
  if (event === null || typeof event !== 'object' || Array.isArray(event) || typeof event.probe !== 'string') {
    return event;
  }
  switch (event.probe) {
    case 'echo':
      return event.payload ?? null;
    case 'context':
      return {
        requestId: context.awsRequestId,
        deadlineMs: Date.now() + context.getRemainingTimeInMillis(),
        remainingMs: context.getRemainingTimeInMillis(),
        functionArn: context.invokedFunctionArn,
        traceId: process.env._X_AMZN_TRACE_ID ?? null,
        clientContext: context.clientContext ?? null,
        identity: context.identity ?? null,
        tenantId: context.tenantId ?? null,
        invocation: invocations,
        pid: process.pid,
        env: Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k] ?? null])),
      };
    case 'error':
      throw probeError(event.errorType ?? 'Probe.Error', event.errorMessage ?? '');
    case 'sleep':
      await sleep(event.ms);
      return { slept: event.ms };
    case 'exit':
      process.exit(event.code);
    case 'big':
      return 'a'.repeat(event.bytes - 2);
    case 'log':
      for (const line of event.lines) console.log(line);
      return { logged: event.lines.length };
    case 'log-levels': {
      // Through console, which aws-lambda-ric patches (console.fatal included) from AWS_LAMBDA_LOG_FORMAT/LEVEL.
      const levels = [['TRACE', 'trace'], ['DEBUG', 'debug'], ['INFO', 'info'], ['WARN', 'warn'], ['ERROR', 'error'], ['FATAL', 'fatal']].filter(([, m]) => typeof console[m] === 'function');
      for (const [, method] of levels) console[method](event.message ?? '');
      return { logged: levels.map(([level]) => level) };
    }
    case 'stream': {
      // Buffered: produce the chunks on their schedule and return them as one string body.
      const chunks = event.chunks ?? [];
      for (let i = 1; i < chunks.length; i++) if (event.delayMs) await sleep(event.delayMs);
      return chunks.join('');
    }
    case 'stream-error':
      throw probeError(event.errorType ?? 'Probe.Error', event.errorMessage ?? '');
    default:
      return event;
  }
}

export const streamHandler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const isStream = event !== null && typeof event === 'object' && (event.probe === 'stream' || event.probe === 'stream-error');
  if (!isStream) {
    const value = await handler(event, context);
    responseStream.setContentType('application/json');
    responseStream.end(JSON.stringify(value ?? null));
    return;
  }
  responseStream.setContentType('text/plain; charset=utf-8');
  const chunks = event.chunks ?? [];
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0 && event.delayMs) await sleep(event.delayMs);
    responseStream.write(chunks[i]);
  }
  if (event.probe === 'stream-error') throw probeError(event.errorType ?? 'Probe.Error', event.errorMessage ?? '');
  responseStream.end();
});
