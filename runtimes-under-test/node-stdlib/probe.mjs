// The probe handler (shared/probe-contract.md) for node-stdlib: values are posted as JSON, throws go to /error,
// and the stream probes return a StreamingResponse.
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamingResponse } from './streaming.mjs';

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
  error.name = type; // the runtime reports errorType from the error's name
  return error;
}

export async function handler(event, context) {
  invocations += 1;
  if (event === null || typeof event !== 'object' || Array.isArray(event) || typeof event.probe !== 'string') return event;
  switch (event.probe) {
    case 'echo':
      return event.payload ?? null;
    case 'context':
      return {
        requestId: context.awsRequestId,
        deadlineMs: context.deadlineMs,
        remainingMs: context.getRemainingTimeInMillis(),
        functionArn: context.invokedFunctionArn,
        traceId: process.env._X_AMZN_TRACE_ID ?? null,
        clientContext: context.clientContext,
        identity: context.identity,
        tenantId: context.tenantId,
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
      return process.exit(event.code);
    case 'big':
      return 'a'.repeat(event.bytes - 2);
    case 'log':
      for (const line of event.lines) console.log(line);
      return { logged: event.lines.length };
    case 'log-levels': {
      // Through console, the logger API of Lambda's Node runtimes; console.fatal exists only where the runtime adds it.
      const levels = [['TRACE', 'trace'], ['DEBUG', 'debug'], ['INFO', 'info'], ['WARN', 'warn'], ['ERROR', 'error'], ['FATAL', 'fatal']].filter(([, m]) => typeof console[m] === 'function');
      for (const [, method] of levels) console[method](event.message ?? '');
      return { logged: levels.map(([level]) => level) };
    }
    case 'stream':
    case 'stream-error':
      return new StreamingResponse(async (stream) => {
        const chunks = event.chunks ?? [];
        for (let i = 0; i < chunks.length; i++) {
          if (i > 0 && event.delayMs) await sleep(event.delayMs);
          stream.write(chunks[i]);
        }
        if (event.probe === 'stream-error') throw probeError(event.errorType ?? 'Probe.Error', event.errorMessage ?? '');
      }, 'text/plain; charset=utf-8');
    default:
      return event;
  }
}
