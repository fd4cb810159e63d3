/** k6 script generation from options and from YAML profiles; profile validation; option caps; summary folding. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SuiteError } from '../lib/yaml-validate.ts';
import { UserError } from '../lib/user-error.ts';
import { generateK6Script, K6_METRICS } from './k6-script.ts';
import { foldK6Summary, type K6SummaryExport } from './k6-fold.ts';
import { LOAD_LIMITS, type LoadOptions } from './load-model.ts';
import { DEFAULT_EVENT, resolveLoadOptions } from './load-options.ts';
import { LOAD_PROFILE_DIR, loadProfile } from './load-profile.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-k6script-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const URL = 'http://127.0.0.1:9999/2015-03-31/functions/f/invocations';

/** The `options` object the script exports (generated as JSON, so it parses back). */
function exportedOptions(script: string): Record<string, unknown> {
  const m = /export const options = ([\s\S]*?\n});\n/.exec(script);
  expect(m, 'script exports options').not.toBeNull();
  return JSON.parse(m![1]!) as Record<string, unknown>;
}

function options(over: Partial<LoadOptions>): LoadOptions {
  return { model: 'closed', concurrency: 4, durationMs: 30_000, requests: 500, event: DEFAULT_EVENT, capped: [], ...over };
}

describe('k6 script from options', () => {
  it('closed model: shared iterations bounded by count and time', () => {
    const script = generateK6Script(options({}), { url: URL, invokeApi: true });
    const o = exportedOptions(script);
    expect(o['scenarios']).toEqual({ load: { executor: 'shared-iterations', vus: 4, iterations: 500, maxDuration: '30000ms' } });
    expect(o['summaryTrendStats']).toContain('p(99.9)');
    expect(o['thresholds']).toHaveProperty(`${K6_METRICS.http}{status:500}`);
    expect(script).toContain(`const URL = ${JSON.stringify(URL)};`);
    expect(script).toContain(`const BODY = ${JSON.stringify(JSON.stringify(DEFAULT_EVENT))};`);
    expect(script).toContain("res.headers['X-Amz-Function-Error']");
    expect(script).toContain('res.status === 200');
    expect(script).toContain('const MAX_REQUESTS = 500;');
  });

  it('open model: constant arrival rate, shortened when the request count runs out first', () => {
    const o = exportedOptions(
      generateK6Script(options({ model: 'open', ratePerSecond: 100, requests: 250 }), { url: URL, invokeApi: true }),
    );
    expect(o['scenarios']).toEqual({
      load: { executor: 'constant-arrival-rate', rate: 100, timeUnit: '1s', duration: '2500ms', preAllocatedVUs: 4, maxVUs: 4 },
    });
  });

  it('--url targets: any 2xx is success and no function-error header check', () => {
    const script = generateK6Script(options({}), { url: 'https://example.invalid/', invokeApi: false });
    expect(script).toContain('res.status >= 200 && res.status < 300');
    expect(script).not.toContain('X-Amz-Function-Error');
  });
});

describe('load profiles', () => {
  it('ramp-echo.yaml becomes a ramping-arrival-rate scenario with its event', () => {
    const profile = loadProfile(join(LOAD_PROFILE_DIR, 'ramp-echo.yaml'));
    const o = resolveLoadOptions({ profile, localEnvironments: true });
    expect(o).toMatchObject({
      model: 'open',
      concurrency: 8,
      ratePerSecond: 50,
      durationMs: 20_000,
      event: { probe: 'echo', payload: 'ramp' },
    });
    const script = generateK6Script(o, { url: URL, invokeApi: true });
    expect(exportedOptions(script)['scenarios']).toEqual({
      load: {
        executor: 'ramping-arrival-rate',
        startRate: 50,
        timeUnit: '1s',
        preAllocatedVUs: 8,
        maxVUs: 8,
        stages: [
          { duration: '5000ms', target: 300 },
          { duration: '10000ms', target: 300 },
          { duration: '5000ms', target: 0 },
        ],
      },
    });
    expect(script).toContain(JSON.stringify(JSON.stringify({ probe: 'echo', payload: 'ramp' })));
  });

  it('steady-echo.yaml loads, and flags override it', () => {
    const profile = loadProfile(join(LOAD_PROFILE_DIR, 'steady-echo.yaml'));
    expect(resolveLoadOptions({ profile, rate: 20, localEnvironments: true })).toMatchObject({
      model: 'open',
      ratePerSecond: 20,
      concurrency: 4,
      durationMs: 10_000,
    });
  });

  it('stages beyond the duration cap are cut at it', () => {
    const o = options({
      model: 'closed',
      durationMs: 7000,
      stages: [
        { durationMs: 5000, target: 2 },
        { durationMs: 5000, target: 4 },
      ],
    });
    expect(
      (exportedOptions(generateK6Script(o, { url: URL, invokeApi: true }))['scenarios'] as Record<string, unknown>)['load'],
    ).toMatchObject({
      executor: 'ramping-vus',
      stages: [
        { duration: '5000ms', target: 2 },
        { duration: '2000ms', target: 4 },
      ],
    });
  });

  it('an invalid profile is refused with file and line', () => {
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nconcurrency: 2\nstages:\n  - duration: 5s\n    target: 10\n  - duration: soon\n    target: 5\n');
    expect(() => loadProfile(bad)).toThrow(SuiteError);
    expect(() => loadProfile(bad)).toThrow(/bad\.yaml:6: stages\[1\]\.duration/);
    const typo = join(scratch, 'typo.yaml');
    writeFileSync(typo, 'name: typo\nconcurrency: 2\nrtae: 5\n');
    expect(() => loadProfile(typo)).toThrow(/typo\.yaml:3: .*unknown key "rtae" \(did you mean "rate"\?\)/);
  });
});

describe('option bounds', () => {
  it('needs a concurrency and a duration or count', () => {
    expect(() => resolveLoadOptions({ durationMs: 1000, localEnvironments: true })).toThrow(UserError);
    expect(() => resolveLoadOptions({ concurrency: 2, localEnvironments: true })).toThrow(/--duration .* or --requests/);
  });

  it('caps huge values in both time and count, and says so', () => {
    const o = resolveLoadOptions({ concurrency: 10_000, requests: 10 ** 9, rate: 10 ** 7, localEnvironments: true });
    expect(o.concurrency).toBe(LOAD_LIMITS.maxEnvironments);
    expect(o.requests).toBe(LOAD_LIMITS.maxRequests);
    expect(o.durationMs).toBe(LOAD_LIMITS.maxDurationMs);
    expect(o.ratePerSecond).toBe(LOAD_LIMITS.maxRatePerSecond);
    expect(o.capped).toHaveLength(3);
    const d = resolveLoadOptions({ concurrency: 2, durationMs: 5000, localEnvironments: false });
    expect(d).toMatchObject({ model: 'closed', durationMs: 5000, requests: LOAD_LIMITS.maxRequests, capped: [] });
  });
});

describe('k6 summary folding', () => {
  it('turns --summary-export metrics into counts, latency and typed errors', () => {
    const summary: K6SummaryExport = {
      metrics: {
        http_reqs: { count: 400, rate: 200 },
        http_req_duration: { avg: 2, min: 0.5, med: 1.5, max: 40, 'p(50)': 1.5, 'p(90)': 3, 'p(99)': 10, 'p(99.9)': 30, count: 400 },
        [K6_METRICS.http]: { count: 7, rate: 3.5 },
        [`${K6_METRICS.http}{status:500}`]: { count: 5, rate: 2.5, thresholds: { 'count>=0': false } },
        [`${K6_METRICS.http}{status:429}`]: { count: 0, rate: 0, thresholds: { 'count>=0': false } },
        [K6_METRICS.functionError]: { count: 3, rate: 1.5 },
        dropped_iterations: { count: 12, rate: 6 },
      },
    };
    const fold = foldK6Summary(summary, 'open');
    expect(fold.counts).toEqual({ sent: 400, completed: 400, ok: 390, missedSchedule: 12 });
    expect(fold.elapsedMs).toBe(2000);
    expect(fold.latency).toMatchObject({ p50: 1.5, p90: 3, p99: 10, p99_9: 30, max: 40, count: 400 });
    expect(fold.errors).toEqual({ total: 10, http: { '500': 5, other: 2 }, functionError: { 'X-Amz-Function-Error': 3 }, transport: {} });
    // Closed model (shared iterations): iterations left when time ran out are not missed schedule slots.
    expect(foldK6Summary(summary, 'closed').counts).toEqual({ sent: 400, completed: 400, ok: 390 });
  });
});

describe('k6 limits', () => {
  it('never gives an executor less than the 1 s k6 accepts', () => {
    const closed = exportedOptions(generateK6Script(options({ durationMs: 500 }), { url: URL, invokeApi: true }));
    expect((closed['scenarios'] as Record<string, Record<string, unknown>>)['load']!['maxDuration']).toBe('1000ms');
    const open = exportedOptions(
      generateK6Script(options({ model: 'open', ratePerSecond: 100, requests: 5 }), { url: URL, invokeApi: true }),
    );
    expect((open['scenarios'] as Record<string, Record<string, unknown>>)['load']!['duration']).toBe('1000ms');
  });
});
