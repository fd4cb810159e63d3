/**
 * Turning what a step observed into findings: each expectation section (result, wire, process, logs, timings) is
 * checked against the invocation result, the step's slice of the recording, the process records and the logs.
 */
import type { InvocationResult, LogLine, ProcessExit } from '../model/invocation.ts';
import { isHttpIntegration, splitHttpIntegration } from '../invoke/http-integration.ts';
import type { Finding } from '../model/report-model.ts';
import type { Exchange } from '../model/recording.ts';
import { inRange, matchString, matchValue, matchWire, show, showRange, type MatchFailure } from './match.ts';
import type { Expectations, Step } from './suite-model.ts';

/** Everything a step produced that expectations can look at. */
export interface StepObservation {
  /** 1-based. */
  index: number;
  step: Step;
  result?: InvocationResult;
  exchanges: Exchange[];
  /** Log lines of the step: the invocation's own (START…REPORT) for invokes, else the environment's lines in the step window. */
  logs: LogLine[];
  /** pid serving after the previous step / after this one. */
  pidBefore?: number;
  pidAfter?: number;
  /** The process alive when the step ended, if any. */
  alivePid?: number;
  /** A process was started during the step. */
  startedProcess: boolean;
  exits: ProcessExit[];
  /** Spawn → first /next of a process started in this step (ms). */
  initDurationMs?: number;
  /** For `stream: true` invocations: chunk arrivals at the invoker (ms since the invoke). */
  invokerChunks: Array<{ size: number; at: number }>;
  /** Findings the step action itself produced (expectExit not met, …). */
  actionFindings: MatchFailure[];
}

export interface StepEvaluation {
  findings: Finding[];
  matched: Exchange[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON from bytes that must be valid UTF-8 (RFC 8259 §8.1): CESU-8 or Latin-1 is not read leniently into a pass. */
function parseJson(payload: Buffer): { ok: true; value: unknown } | { ok: false; why: string } {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, why: 'not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, why: 'not JSON' };
  }
}

/** The result sections that describe a failed invocation: with none of them, a judged payload must be the handler's response. */
function namesAnOutcome(exp: NonNullable<Expectations['result']>): boolean {
  return (
    exp.outcome !== undefined ||
    exp.functionError !== undefined ||
    exp.errorType !== undefined ||
    exp.errorMessage !== undefined ||
    exp.streamError !== undefined
  );
}

/**
 * The body as the caller gets it. An HTTP-integration stream (JSON prelude, 8 NULs, body) is judged on its body, as
 * the function URL's client receives it; the prelude stays visible in the wire evidence.
 */
function invokerBody(r: InvocationResult): Buffer {
  if (r.outcome.kind !== 'response' || !isHttpIntegration(r.outcome.contentType)) return r.payload;
  return splitHttpIntegration(r.payload)?.body ?? r.payload;
}

function resultFindings(
  exp: NonNullable<Expectations['result']>,
  r: InvocationResult | undefined,
  ctx: { requestId?: string },
): MatchFailure[] {
  if (!r) return [{ path: 'result', expected: 'an invocation result', actual: 'this step invoked nothing' }];
  const out: MatchFailure[] = [];
  const payload = invokerBody(r);
  const parsed = parseJson(payload);
  const doc =
    parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : undefined;
  const text = payload.toString('utf8');
  if (exp.status !== undefined && exp.status !== 200) out.push({ path: 'result.status', expected: String(exp.status), actual: '200' });
  const judgesPayload = exp.payload !== undefined || exp.payloadText !== undefined || exp.payloadSize !== undefined;
  if (judgesPayload && !namesAnOutcome(exp) && r.outcome.kind !== 'response') {
    // A platform error document must not stand in for the handler's answer ({ $nullish } or $not would pass on it).
    const what = r.outcome.kind === 'platform-error' ? `${r.outcome.error.errorType}: ${r.outcome.error.errorMessage}` : show(text, 160);
    return [{ path: 'result.outcome', expected: "the handler's response", actual: `${r.outcome.kind} (${what})` }];
  }
  if (exp.payload !== undefined) {
    if (!parsed.ok)
      out.push({ path: 'result.payload', expected: `JSON matching ${show(exp.payload)}`, actual: `${parsed.why}: ${show(text)}` });
    else out.push(...matchValue(exp.payload, parsed.value, ctx, 'result.payload'));
  }
  if (exp.payloadText !== undefined) out.push(...matchString(exp.payloadText, text, ctx, 'result.payloadText'));
  if (exp.payloadSize !== undefined && payload.length !== exp.payloadSize) {
    out.push({
      path: 'result.payloadSize',
      expected: String(exp.payloadSize),
      actual: `${payload.length}${r.functionError ? ` (error: ${show(text, 160)})` : ''}`,
    });
  }
  if (exp.functionError !== undefined) {
    const actual = r.functionError ?? 'none';
    if (actual !== exp.functionError)
      out.push({
        path: 'result.functionError',
        expected: exp.functionError,
        actual: `${actual}${actual !== 'none' ? ` (${show(text, 160)})` : ''}`,
      });
  }
  if (exp.errorType !== undefined)
    out.push(...matchString(exp.errorType, typeof doc?.['errorType'] === 'string' ? doc['errorType'] : undefined, ctx, 'result.errorType'));
  if (exp.errorMessage !== undefined)
    out.push(
      ...matchString(
        exp.errorMessage,
        typeof doc?.['errorMessage'] === 'string' ? doc['errorMessage'] : undefined,
        ctx,
        'result.errorMessage',
      ),
    );
  if (exp.outcome !== undefined && r.outcome.kind !== exp.outcome)
    out.push({ path: 'result.outcome', expected: exp.outcome, actual: r.outcome.kind });
  const o = r.outcome;
  if (exp.streamed !== undefined) {
    const streamed = o.kind === 'response' && o.streamed;
    if (streamed !== exp.streamed) out.push({ path: 'result.streamed', expected: String(exp.streamed), actual: String(streamed) });
  }
  if (exp.streamError) {
    const se = o.kind === 'response' ? o.streamError : undefined;
    if (!se) out.push({ path: 'result.streamError', expected: 'a mid-stream error in the trailers', actual: 'none' });
    else {
      if (exp.streamError.errorType !== undefined)
        out.push(...matchString(exp.streamError.errorType, se.errorType, ctx, 'result.streamError.errorType'));
      if (exp.streamError.errorBody !== undefined)
        out.push(...matchString(exp.streamError.errorBody, se.errorBody, ctx, 'result.streamError.errorBody'));
    }
  }
  if (exp.contentType !== undefined)
    out.push(...matchString(exp.contentType, o.kind === 'response' ? o.contentType : undefined, ctx, 'result.contentType'));
  return out;
}

function processFindings(exp: NonNullable<Expectations['process']>, o: StepObservation): MatchFailure[] {
  const out: MatchFailure[] = [];
  if (exp.samePid !== undefined) {
    const same = o.pidBefore !== undefined && o.pidAfter === o.pidBefore && !o.startedProcess;
    if (same !== exp.samePid) {
      const expected = !exp.samePid
        ? 'a different process'
        : o.pidBefore !== undefined
          ? `pid ${o.pidBefore} still serving`
          : 'the process of the previous step still serving';
      const before =
        o.pidBefore === undefined && exp.samePid
          ? 'no process was serving when the step began (the previous one had exited or never started); '
          : '';
      out.push({
        path: 'process.samePid',
        expected,
        actual: `${before}pid ${o.pidAfter ?? 'none'}${o.startedProcess ? ' (re-initialised)' : ''}`,
      });
    }
  }
  if (exp.reinitialised !== undefined && o.startedProcess !== exp.reinitialised) {
    out.push({ path: 'process.reinitialised', expected: String(exp.reinitialised), actual: String(o.startedProcess) });
  }
  if (exp.alive !== undefined) {
    const alive = o.alivePid !== undefined;
    if (alive !== exp.alive)
      out.push({ path: 'process.alive', expected: String(exp.alive), actual: alive ? `alive (pid ${o.alivePid})` : 'no live process' });
  }
  if (exp.exited) {
    const want = exp.exited;
    // Exits the harness caused (timeout kill, teardown) are not the runtime exiting.
    const own = o.exits.filter((x) => !x.killed);
    const ok = own.some((x) => (want.code === undefined || x.code === want.code) && (!want.nonZero || x.code !== 0));
    if (!ok) {
      out.push({
        path: 'process.exited',
        expected: want.code !== undefined ? `exit with status ${want.code}` : want.nonZero ? 'exit with a non-zero status' : 'an exit',
        actual: o.exits.length
          ? o.exits
              .map((x) =>
                x.killed ? 'killed by the harness (it did not exit by itself)' : x.signal ? `signal ${x.signal}` : `status ${x.code}`,
              )
              .join(', ')
          : 'the process did not exit',
      });
    }
  }
  return out;
}

/** The runtime's output lines that are JSON objects (platform records are the harness's own, so left out). */
function jsonLines(logs: readonly LogLine[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const l of logs) {
    if (l.stream === 'platform' || !l.text.trimStart().startsWith('{')) continue;
    try {
      const v = JSON.parse(l.text) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // Not JSON: a text line.
    }
  }
  return out;
}

function logFindings(exp: NonNullable<Expectations['logs']>, o: StepObservation, ctx: { requestId?: string }): MatchFailure[] {
  const out: MatchFailure[] = [];
  const texts = o.logs.map((l) => l.text);
  (exp.contains ?? []).forEach((m, i) => {
    if (!texts.some((t) => matchString(m, t, ctx).length === 0))
      out.push({ path: `logs.contains[${i}]`, expected: `a line ${show(m)}`, actual: `${texts.length} lines, none matching` });
  });
  (exp.notContains ?? []).forEach((m, i) => {
    const hit = texts.find((t) => matchString(m, t, ctx).length === 0);
    if (hit !== undefined) out.push({ path: `logs.notContains[${i}]`, expected: `no line ${show(m)}`, actual: show(hit) });
  });
  if (exp.json || exp.notJson) {
    const objects = jsonLines(o.logs);
    (exp.json ?? []).forEach((m, i) => {
      if (!objects.some((v) => matchValue(m, v, ctx).length === 0)) {
        out.push({
          path: `logs.json[${i}]`,
          expected: `a JSON line ${show(m)}`,
          actual: `${objects.length} JSON lines, none matching${objects.length > 0 ? `; last: ${show(objects.at(-1))}` : ''}`,
        });
      }
    });
    (exp.notJson ?? []).forEach((m, i) => {
      const hit = objects.find((v) => matchValue(m, v, ctx).length === 0);
      if (hit !== undefined) out.push({ path: `logs.notJson[${i}]`, expected: `no JSON line ${show(m)}`, actual: show(hit) });
    });
  }
  if (exp.report) {
    const rep = o.result?.report;
    if (!rep) return [...out, { path: 'logs.report', expected: 'a REPORT line', actual: 'none' }];
    const want = exp.report;
    if (want.initDuration === 'present' && rep.initDurationMs === undefined)
      out.push({ path: 'logs.report.initDuration', expected: 'present', actual: 'absent' });
    else if (want.initDuration === 'absent' && rep.initDurationMs !== undefined)
      out.push({ path: 'logs.report.initDuration', expected: 'absent', actual: `${rep.initDurationMs.toFixed(2)} ms` });
    else if (want.initDuration !== undefined && want.initDuration !== 'present' && want.initDuration !== 'absent') {
      out.push(...matchValue(want.initDuration, rep.initDurationMs, ctx, 'logs.report.initDuration'));
    }
    if (want.status !== undefined && (rep.status ?? 'none') !== want.status)
      out.push({ path: 'logs.report.status', expected: want.status, actual: rep.status ?? 'none' });
    if (want.errorType !== undefined) out.push(...matchString(want.errorType, rep.errorType, ctx, 'logs.report.errorType'));
    if (want.maxMemoryUsed !== undefined && !inRange(rep.maxMemoryUsedMb, want.maxMemoryUsed))
      out.push({ path: 'logs.report.maxMemoryUsed', expected: `${showRange(want.maxMemoryUsed)} MB`, actual: `${rep.maxMemoryUsedMb} MB` });
    if (want.duration !== undefined && !inRange(rep.durationMs, want.duration))
      out.push({ path: 'logs.report.duration', expected: `${showRange(want.duration)} ms`, actual: `${rep.durationMs.toFixed(2)} ms` });
  }
  return out;
}

function timingFindings(exp: NonNullable<Expectations['timings']>, o: StepObservation): MatchFailure[] {
  const out: MatchFailure[] = [];
  const t = o.result?.timings;
  const ms = (n: number | undefined): string => (n === undefined ? 'never' : `${n.toFixed(1)} ms`);
  if (exp.handedOutWithinMs !== undefined && !(t?.handedOut !== undefined && t.handedOut <= exp.handedOutWithinMs)) {
    out.push({ path: 'timings.handedOutWithin', expected: `≤ ${exp.handedOutWithinMs} ms`, actual: ms(t?.handedOut) });
  }
  if (exp.durationMaxMs !== undefined && !(t && t.done <= exp.durationMaxMs))
    out.push({ path: 'timings.durationMax', expected: `≤ ${exp.durationMaxMs} ms`, actual: ms(t?.done) });
  if (exp.firstByteLeadMs !== undefined) {
    // Prefer what a streaming invoker saw; fall back to arrival at the Runtime API.
    const chunks = o.invokerChunks;
    const lead =
      chunks.length > 1 ? chunks[chunks.length - 1]!.at - chunks[0]!.at : t?.firstByte !== undefined ? t.done - t.firstByte : undefined;
    if (lead === undefined || lead < exp.firstByteLeadMs)
      out.push({
        path: 'timings.firstByteLeadMs',
        expected: `first byte ≥ ${exp.firstByteLeadMs} ms before the end`,
        actual: lead === undefined ? 'no body bytes' : `${lead.toFixed(1)} ms before the end`,
      });
  }
  const init = o.initDurationMs ?? o.result?.report.initDurationMs;
  if (exp.initMinMs !== undefined && !(init !== undefined && init >= exp.initMinMs))
    out.push({ path: 'timings.initMin', expected: `≥ ${exp.initMinMs} ms`, actual: ms(init) });
  if (exp.initMaxMs !== undefined && !(init !== undefined && init <= exp.initMaxMs))
    out.push({ path: 'timings.initMax', expected: `≤ ${exp.initMaxMs} ms`, actual: ms(init) });
  return out;
}

export function evaluateStep(o: StepObservation): StepEvaluation {
  const exp = o.step.expect;
  const ctx = o.result ? { requestId: o.result.requestId } : {};
  const failures: MatchFailure[] = [...o.actionFindings];
  let matched: Exchange[] = [];
  if (exp.result) failures.push(...resultFindings(exp.result, o.result, ctx));
  if (exp.wire) {
    const w = matchWire(exp.wire, o.exchanges, ctx);
    failures.push(...w.failures);
    matched = w.matched;
  }
  if (exp.process) failures.push(...processFindings(exp.process, o));
  if (exp.logs) failures.push(...logFindings(exp.logs, o, ctx));
  if (exp.timings) failures.push(...timingFindings(exp.timings, o));
  return { findings: failures.map((f) => ({ step: o.index, ...f })), matched };
}
