/**
 * The generator's schedule replayed on a virtual clock: exact send times, a server stall, and the coordinated-
 * omission correction checked against HdrHistogram's own `recordValueWithExpectedInterval`.
 */
import { describe, expect, it } from 'vitest';
import { newHistogram } from './latency-histogram.ts';
import { generateLoad, type Clock, type RequestOutcome } from './load-generator.ts';

/** Discrete-event time: sleeps resolve in time order, each once every promise reaction before it has run. */
class VirtualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private seq = 0;
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
    });
  }
  /** Run `work` to completion, advancing time whenever nothing else can happen. Bounded in steps. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const result = work.finally(() => {
      done = true;
    });
    for (let steps = 0; steps < 1_000_000; steps++) {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      if (done) return result;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('virtual clock: deadlock (nothing scheduled, work not done)');
      this.t = next.at;
      next.resolve();
    }
    throw new Error('virtual clock: too many steps');
  }
}

/** A server whose answer to request i takes serviceMs(i) of virtual time; records send times. */
function server(clock: VirtualClock, serviceMs: (i: number) => number, outcome: (i: number) => RequestOutcome = () => ({ kind: 'ok' })) {
  const sentAt: number[] = [];
  const send = async (): Promise<RequestOutcome> => {
    const i = sentAt.length;
    sentAt.push(clock.now());
    await clock.sleep(serviceMs(i));
    return outcome(i);
  };
  return { send, sentAt };
}

describe('open model (fixed rate)', () => {
  it('sends on the schedule when the server keeps up', async () => {
    const clock = new VirtualClock();
    const s = server(clock, () => 2);
    const r = await clock.run(
      generateLoad({ model: 'open', concurrency: 4, ratePerSecond: 100, durationMs: 1000, requests: 1000 }, s.send, clock),
    );
    expect(r.sent).toBe(100);
    // Lanes wake 1 ms before each slot (timer lateness must not count as the server's).
    expect(s.sentAt).toEqual(Array.from({ length: 100 }, (_, i) => Math.max(0, i * 10 - 1)));
    expect(r.missedSchedule).toBe(0);
    // Nobody waited: corrected and uncorrected agree at 2 ms.
    expect(r.uncorrected.getValueAtPercentile(100)).toBe(2000);
    expect(r.corrected!.getValueAtPercentile(100)).toBe(2000);
  });

  it('does not count its own late timers as server delay', async () => {
    const clock = new VirtualClock();
    const s = server(clock, () => 2);
    // The generator's timers fire 1 ms late (as real ones do); the server's time is exact.
    const lateTimers: Clock = { now: () => clock.now(), sleep: (ms) => clock.sleep(ms + 1) };
    const r = await clock.run(
      generateLoad({ model: 'open', concurrency: 1, ratePerSecond: 100, durationMs: 500, requests: 1000 }, s.send, lateTimers),
    );
    expect(s.sentAt).toEqual(Array.from({ length: 50 }, (_, i) => i * 10));
    expect(r.corrected!.getValueAtPercentile(100)).toBe(2000);
  });

  it('backfills a stall exactly as HdrHistogram recordValueWithExpectedInterval does', async () => {
    // One connection, 1000 requests/s (1 ms apart), instant answers except a 100 ms stall on the first request.
    const clock = new VirtualClock();
    const s = server(clock, (i) => (i === 0 ? 100 : 0));
    const r = await clock.run(
      generateLoad({ model: 'open', concurrency: 1, ratePerSecond: 1000, durationMs: 200, requests: 200 }, s.send, clock),
    );
    expect(r.sent).toBe(200);
    // Requests 1..99 were due during the stall and left the moment it ended.
    expect(s.sentAt.slice(0, 4)).toEqual([0, 100, 100, 100]);
    expect(s.sentAt[100]).toBe(100);
    expect(s.sentAt[102]).toBe(101);

    // The uncorrected view sees one slow request and 199 instant ones: coordinated omission.
    expect(r.uncorrected.totalCount).toBe(200);
    expect(r.uncorrected.getValueAtPercentile(99)).toBe(1);

    // HDR's correction of the same stall: 100 ms, plus 99, 98 … 1 ms backfilled at the 1 ms expected interval.
    const expected = newHistogram();
    expected.recordValueWithExpectedInterval(100_000, 1000);
    for (let i = 0; i < 100; i++) expected.recordValue(1); // the on-time requests (0 µs, stored as 1 µs)
    expect(r.corrected!.totalCount).toBe(expected.totalCount);
    for (const p of [10, 25, 50, 75, 90, 99, 99.9, 100]) {
      expect(r.corrected!.getValueAtPercentile(p), `p${p}`).toBe(expected.getValueAtPercentile(p));
    }
    // Half the corrected samples are stall victims: p75 sits mid-stall, where the uncorrected p99 saw nothing.
    expect(r.corrected!.getValueAtPercentile(75)).toBeGreaterThan(49_000);
  });

  it('counts schedule slots it could not send before the end as missed', async () => {
    const clock = new VirtualClock();
    // Every answer takes 50 ms on 1 connection against a 100/s schedule for 1 s: 20 fit, 80 are missed.
    const s = server(clock, () => 50);
    const r = await clock.run(
      generateLoad({ model: 'open', concurrency: 1, ratePerSecond: 100, durationMs: 1000, requests: 10_000 }, s.send, clock),
    );
    expect(r.sent).toBe(20);
    expect(r.missedSchedule).toBe(80);
    expect(r.corrected!.getValueAtPercentile(100)).toBeGreaterThan(r.uncorrected.getValueAtPercentile(100));
  });
});

describe('closed model', () => {
  it('runs N workers back to back and stops at the request count', async () => {
    const clock = new VirtualClock();
    const s = server(clock, () => 10);
    const r = await clock.run(generateLoad({ model: 'closed', concurrency: 3, durationMs: 60_000, requests: 10 }, s.send, clock));
    expect(r.sent).toBe(10);
    expect(r.completed).toBe(10);
    expect(s.sentAt).toEqual([0, 0, 0, 10, 10, 10, 20, 20, 20, 30]);
    expect(r.corrected).toBeUndefined();
    expect(r.elapsedMs).toBe(40);
  });

  it('stops at the duration', async () => {
    const clock = new VirtualClock();
    const s = server(clock, () => 10);
    const r = await clock.run(generateLoad({ model: 'closed', concurrency: 2, durationMs: 95, requests: 1_000_000 }, s.send, clock));
    // Sends at 0,10,…,90 on both workers; none starts at or after 95 ms.
    expect(r.sent).toBe(20);
  });

  it('counts outcomes by kind and type, and cold starts', async () => {
    const clock = new VirtualClock();
    const outcomes: RequestOutcome[] = [
      { kind: 'ok', coldStart: true },
      { kind: 'function-error', errorType: 'Probe.Boom' },
      { kind: 'function-error', errorType: 'Probe.Boom' },
      { kind: 'http', status: 429 },
      { kind: 'transport', code: 'ECONNRESET' },
      { kind: 'ok' },
    ];
    const s = server(
      clock,
      () => 1,
      (i) => outcomes[i]!,
    );
    const r = await clock.run(
      generateLoad({ model: 'closed', concurrency: 1, durationMs: 1000, requests: outcomes.length }, s.send, clock),
    );
    expect(r.ok).toBe(2);
    expect(r.coldStarts).toBe(1);
    expect(r.errors).toEqual({ total: 4, http: { '429': 1 }, functionError: { 'Probe.Boom': 2 }, transport: { ECONNRESET: 1 } });
  });

  it('stops when aborted', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const s = server(clock, () => 10);
    const send = async (): Promise<RequestOutcome> => {
      if (s.sentAt.length === 4) controller.abort();
      return s.send();
    };
    const r = await clock.run(
      generateLoad({ model: 'closed', concurrency: 1, durationMs: 60_000, requests: 1000, signal: controller.signal }, send, clock),
    );
    expect(r.sent).toBe(5);
  });
});
