/**
 * The probe preflight: before a suite runs on a runtime, one echo and one context invocation on one environment
 * tell whether the function it serves implements the probe handler (docs/probe-contract.md). A function that
 * answers both successfully with something no probe answers stops the run with one line, instead of failing every
 * case with "expected JSON matching …, got not JSON". Anything else — a crash, an init error, an exec format error,
 * a timeout, a handler error, a runtime that garbles what it returns — is left for the suite to judge.
 */
import { LocalEnvironment, type LocalEnvironmentOptions } from '../environment/local-environment.ts';
import type { ExecutionEnvironment } from '../environment/execution-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { functionConfigFor, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { scrub } from '../secrets/scrub.ts';

export const PROBE_CONTRACT_DOC = 'docs/probe-contract.md';

/** A fixed payload, so the one line is the same on every run; no function returns it by accident. */
const ECHO_PAYLOAD = 'lambdaspec-preflight';
export const PREFLIGHT_ECHO_EVENT = JSON.stringify({ probe: 'echo', payload: ECHO_PAYLOAD });
export const PREFLIGHT_CONTEXT_EVENT = JSON.stringify({ probe: 'context' });

/** Top-level fields of the context document; an object with any of them is a probe's answer, however incomplete. */
const CONTEXT_FIELDS = [
  'requestId',
  'deadlineMs',
  'remainingMs',
  'functionArn',
  'traceId',
  'clientContext',
  'identity',
  'tenantId',
  'invocation',
  'pid',
  'env',
];

const PREVIEW_CHARS = 60;

export type PreflightResult =
  /** At least one answer is the probe's: run the suite. */
  | { kind: 'probe' }
  /** Both invocations succeeded and neither answer is a probe's: `message` is the one line to stop with. */
  | { kind: 'not-probe'; message: string }
  /** Nothing to conclude (an invocation failed, or the environment could not be used): run the suite, it judges. */
  | { kind: 'inconclusive'; reason: string };

/** The runtime handed the event to the function and posted a response: the only answers preflight judges. */
function succeeded(r: InvocationResult): boolean {
  return r.outcome.kind === 'response' && r.outcome.streamError === undefined && r.functionError === undefined;
}

function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

export function isEchoAnswer(payload: Buffer): boolean {
  const doc = parseJson(payload);
  return doc.ok && doc.value === ECHO_PAYLOAD;
}

/**
 * An object with a context field, or any answer that carries this invocation's request id (a runtime that wraps or
 * re-encodes what the function returns still ran the probe: that is a verdict for the suite).
 */
export function isContextAnswer(payload: Buffer, requestId: string): boolean {
  if (payload.toString('utf8').includes(requestId)) return true;
  const doc = parseJson(payload);
  return (
    doc.ok &&
    doc.value !== null &&
    typeof doc.value === 'object' &&
    !Array.isArray(doc.value) &&
    CONTEXT_FIELDS.some((k) => k in (doc.value as object))
  );
}

/** What the function answered, short and on one line, with credential-shaped strings removed. */
export function answerPreview(payload: Buffer): string {
  if (payload.length === 0) return 'an empty body';
  const text = scrub(payload.toString('utf8'));
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
  // JSON is self-delimiting ("ok", 42, {…}); other text is quoted so the sentence around it stays readable.
  if (parseJson(payload).ok) return short.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return `the text ${JSON.stringify(short)}`;
}

export function notProbeMessage(runtime: string, echo: Buffer, context: Buffer): string {
  return `${runtime} does not implement the probe handler: it answered ${answerPreview(echo)} to ${PREFLIGHT_ECHO_EVENT} and ${answerPreview(context)} to ${PREFLIGHT_CONTEXT_EVENT}; see ${PROBE_CONTRACT_DOC}`;
}

/**
 * Run the preflight on a fresh environment, which it closes (at once when `signal` aborts). Never throws: a harness
 * problem is inconclusive.
 */
export async function probePreflight(
  runtime: string,
  createEnvironment: () => Promise<ExecutionEnvironment>,
  signal?: AbortSignal,
): Promise<PreflightResult> {
  let env: ExecutionEnvironment | undefined;
  const onAbort = (): void => void env?.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    env = await createEnvironment();
    if (signal?.aborted) return { kind: 'inconclusive', reason: 'interrupted' };
    const echo = await env.invoke({ payload: Buffer.from(PREFLIGHT_ECHO_EVENT) });
    if (!succeeded(echo)) return { kind: 'inconclusive', reason: `the echo invocation failed (${echo.outcome.kind})` };
    const context = await env.invoke({ payload: Buffer.from(PREFLIGHT_CONTEXT_EVENT) });
    if (!succeeded(context)) return { kind: 'inconclusive', reason: `the context invocation failed (${context.outcome.kind})` };
    if (isEchoAnswer(echo.payload) || isContextAnswer(context.payload, context.requestId)) return { kind: 'probe' };
    return { kind: 'not-probe', message: notProbeMessage(runtime, echo.payload, context.payload) };
  } catch (e) {
    return { kind: 'inconclusive', reason: e instanceof Error ? e.message : String(e) };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await env?.close();
  }
}

/** The preflight on a local environment, as a case would get it (Lambda's default configuration, the target's launcher). */
export function preflightLocal(
  rt: ResolvedRuntime,
  environment: LocalEnvironmentOptions = {},
  signal?: AbortSignal,
): Promise<PreflightResult> {
  return probePreflight(
    rt.spec.name,
    () => LocalEnvironment.create(functionConfigFor(rt), { hostPath: process.env['PATH'] ?? '', ...environment }),
    signal,
  );
}
