/**
 * Forcing cold starts on a deployed function the way public cold-start benchmarks do: touch the function's
 * configuration (a marker environment variable), wait until the update is live, and the next invocation lands in a
 * fresh execution environment. Needs `lambda:GetFunctionConfiguration` and `lambda:UpdateFunctionConfiguration`;
 * without them, or on a published version or alias (which cannot be changed), it degrades to warm-only and says so.
 */
import {
  GetFunctionConfigurationCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import type { InvocationResult } from '../../model/invocation.ts';
import type { ColdStartMeasurement, ColdStartSample } from '../../model/report-model.ts';
import { classifyAwsError } from './lambda-client.ts';

/** The variable touched to force a cold start; its value changes every time. */
export const COLD_START_VARIABLE = 'LAMBDASPEC_COLD_START';
export const COLD_START_PERMISSIONS = ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'];
/** How long to wait for an update to go live (Lambda usually needs a few seconds). */
const UPDATE_WAIT_MS = 120_000;

interface Touch {
  client: LambdaClient;
  functionName: string;
  qualifier?: string;
  region?: string;
  endpoint?: string;
  sleep?: (ms: number) => Promise<void>;
}

class CannotForce extends Error {}

function isAccessDenied(e: unknown): boolean {
  const name = (e as { name?: string }).name ?? '';
  return (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403
  );
}

async function call<T>(t: Touch, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAccessDenied(e))
      throw new CannotForce(`${what} was denied: forcing cold starts needs ${COLD_START_PERMISSIONS.join(' and ')} on ${t.functionName}`);
    throw (
      classifyAwsError(e, {
        what,
        functionName: t.functionName,
        ...(t.region ? { region: t.region } : {}),
        ...(t.endpoint ? { endpoint: t.endpoint } : {}),
      }) ?? e
    );
  }
}

async function waitUntilUpdated(t: Touch): Promise<FunctionConfiguration> {
  const sleep = t.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + UPDATE_WAIT_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    const c = await call(t, `reading ${t.functionName}'s configuration`, () =>
      t.client.send(new GetFunctionConfigurationCommand({ FunctionName: t.functionName })),
    );
    if (c.LastUpdateStatus === undefined || c.LastUpdateStatus === 'Successful') return c;
    if (c.LastUpdateStatus === 'Failed')
      throw new CannotForce(`the configuration update failed (${c.LastUpdateStatusReason ?? 'no reason given'})`);
    if (Date.now() > deadline)
      throw new CannotForce(`the configuration update was still ${c.LastUpdateStatus} after ${UPDATE_WAIT_MS / 1000} s`);
    await sleep(delay);
  }
}

/** Set the marker variable to `value` (or remove it), keeping every other variable. */
async function setMarker(t: Touch, value: string | undefined): Promise<void> {
  const current = await waitUntilUpdated(t);
  const variables = { ...(current.Environment?.Variables ?? {}) };
  if (value === undefined) delete variables[COLD_START_VARIABLE];
  else variables[COLD_START_VARIABLE] = value;
  await call(t, `updating ${t.functionName}'s configuration`, () =>
    t.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: t.functionName, Environment: { Variables: variables } })),
  );
  await waitUntilUpdated(t);
}

/**
 * Invoke `n` times, each after forcing a cold start; afterwards the marker variable is removed again (one more
 * configuration update). Degrades to `n` warm invocations, with the reason, when forcing is not possible.
 */
export async function measureColdStarts(
  t: Touch,
  n: number,
  invoke: () => Promise<{ result: InvocationResult; clientMs: number }>,
): Promise<ColdStartMeasurement> {
  const samples: ColdStartSample[] = [];
  let degraded: string | undefined;
  if (t.qualifier !== undefined && t.qualifier !== '$LATEST') {
    degraded = `${t.functionName}:${t.qualifier} is a published version or alias, whose configuration cannot change; measured warm invocations only`;
  }
  let touched = false;
  for (let i = 0; i < n; i++) {
    if (!degraded) {
      try {
        await setMarker(t, randomUUID());
        touched = true;
      } catch (e) {
        if (!(e instanceof CannotForce)) throw e;
        degraded = `${e.message}; measured warm invocations only`;
      }
    }
    const { result, clientMs } = await invoke();
    samples.push({
      requestId: result.requestId,
      ...(result.report.initDurationMs !== undefined ? { initDurationMs: result.report.initDurationMs } : {}),
      durationMs: result.report.durationMs,
      billedDurationMs: result.report.billedDurationMs,
      maxMemoryUsedMb: result.report.maxMemoryUsedMb,
      clientMs,
    });
  }
  if (touched) {
    try {
      await setMarker(t, undefined);
    } catch (e) {
      if (!(e instanceof CannotForce)) throw e;
    }
  }
  return { requested: n, samples, ...(degraded ? { degraded } : {}) };
}
