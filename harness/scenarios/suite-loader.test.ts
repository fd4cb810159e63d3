import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';
import { DEFAULT_SUITE_DIR, loadSuiteFile, loadSuites, sizedEvent } from './suite-loader.ts';
import { SuiteError } from './yaml-validate.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-suites-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string, name = `s${++n}.yaml`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const HEAD = `area: demo
cases:
  - id: demo.one
    title: One
    level: must
    requirement: r
    source: https://example.com/doc
`;

function errorOf(fn: () => unknown): SuiteError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SuiteError) return e;
    throw e;
  }
  throw new Error('expected a SuiteError');
}

describe('loadSuiteFile', () => {
  it('loads a case with normalised durations, events as bytes and faults', () => {
    const suite = loadSuiteFile(
      file(`${HEAD}    timeout: 1.5s
    needs: [streaming]
    function: { timeout: 2s, initTimeout: 500ms, memory: 256, environment: { A: "1" }, bootstrap: missing }
    steps:
      - invoke:
          event: { probe: echo, payload: 1 }
          clientContext: { custom: { a: 1 } }
          identity: { cognitoIdentityId: x }
          faults: { deadlineOffset: -1s, delayNext: 250ms, nextHeaders: { X: null }, nextStatus: 500, reset: next }
        expect:
          result: { payload: 1 }
          timings: { handedOutWithin: 1s, initMin: 2m }
      - invoke: { rawEvent: "hello" }
      - invoke: { eventSize: 10 }
      - waitForInit: { timeout: 3s }
      - expectExit: { within: 2s, code: 1 }
      - sleep: 10
`),
    );
    const c = suite.cases[0]!;
    expect(c).toMatchObject({ id: 'demo.one', area: 'demo', level: 'must', timeoutMs: 1500, needs: ['streaming'] });
    expect(c.function).toEqual({ timeoutMs: 2000, initTimeoutMs: 500, memoryMb: 256, environment: { A: '1' }, bootstrap: 'missing' });
    const [inv, raw, sized, wait, exit, sleep] = c.steps;
    expect(inv).toMatchObject({
      kind: 'invoke',
      clientContext: '{"custom":{"a":1}}',
      cognitoIdentity: '{"cognitoIdentityId":"x"}',
      faults: { deadlineOffsetMs: -1000, delayNextMs: 250, nextHeaders: { X: null }, nextStatus: 500, reset: 'next' },
      expect: { result: { payload: 1 }, timings: { handedOutWithinMs: 1000, initMinMs: 120_000 } },
    });
    expect(inv!.kind === 'invoke' && inv!.payload.toString()).toBe('{"probe":"echo","payload":1}');
    expect(raw!.kind === 'invoke' && raw!.payload.toString()).toBe('hello');
    expect(sized!.kind === 'invoke' && sized!.payload.toString()).toBe('"aaaaaaaa"');
    expect(wait).toMatchObject({ kind: 'waitForInit', timeoutMs: 3000 });
    expect(exit).toMatchObject({ kind: 'expectExit', withinMs: 2000, code: 1 });
    expect(sleep).toMatchObject({ kind: 'sleep', ms: 10 });
    expect(c.location.line).toBe(3);
    expect(inv!.location.line).toBe(12);
  });

  it('rejects an unknown key with file, line and the key', () => {
    const p = file(`${HEAD}    steps:\n      - invoke: { evnt: {} }\n`);
    const e = errorOf(() => loadSuiteFile(p));
    expect(e.line).toBe(9);
    expect(e.message).toMatch(/s\d+\.yaml:9: cases\[0\]\.steps\[0\]\.invoke has unknown key "evnt"/);
  });

  it('explains a step with no action, or an invoke with two events', () => {
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: 1, rawEvent: x }\n`))).problem).toBe(
      'cases[0].steps[0].invoke needs exactly one of event, rawEvent, rawEventBase64, eventSize',
    );
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - expect: {}\n`))).problem).toBe(
      'cases[0].steps[0] needs exactly one action: invoke, waitForInit, expectExit or sleep',
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const e = errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: [1, 2 }\n`)));
    expect(e.line).toBe(9);
    expect(e.problem).toMatch(/^YAML syntax error/);
  });

  it('rejects a missing required field, a bad level, a bad duration and a bad regex', () => {
    expect(errorOf(() => loadSuiteFile(file('area: demo\ncases:\n  - id: demo.x\n    title: t\n    level: must\n    source: https://x\n    steps: [{ sleep: 1 }]\n'))).problem).toBe(
      'cases[0] is missing "requirement"',
    );
    expect(errorOf(() => loadSuiteFile(file(HEAD.replace('level: must', 'level: MUST') + '    steps: [{ sleep: 1 }]\n'))).problem).toMatch(/level must be one of "must", "should", "may"/);
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    timeout: 3 seconds\n    steps: [{ sleep: 1 }]\n`))).line).toBe(8);
    const re = errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: 1 }\n        expect: { result: { payloadText: { regex: "(" } } }\n`)));
    expect(re.line).toBe(10);
    expect(re.problem).toMatch(/invalid regular expression/);
  });

  it('requires case ids to start with the area, and capabilities to be known', () => {
    expect(errorOf(() => loadSuiteFile(file(HEAD.replace('demo.one', 'other.one') + '    steps: [{ sleep: 1 }]\n'))).problem).toBe(
      'case id "other.one" must start with the file\'s area "demo."',
    );
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    needs: [teleport]\n    steps: [{ sleep: 1 }]\n`))).line).toBe(8);
  });
});

describe('loadSuites', () => {
  it('loads folders recursively and refuses duplicate ids naming both places', () => {
    const sub = join(dir, 'dup');
    mkdirSync(join(sub, 'nested'), { recursive: true });
    writeFileSync(join(sub, 'a.yaml'), `${HEAD}    steps: [{ sleep: 1 }]\n`);
    writeFileSync(join(sub, 'nested', 'b.yml'), `${HEAD}    steps: [{ sleep: 1 }]\n`);
    const e = errorOf(() => loadSuites([sub]));
    expect(e.message).toMatch(/b\.yml:3: duplicate case id "demo\.one" \(first defined at .*a\.yaml:3\)/);
  });

  it('says when a path does not exist or holds no suite files', () => {
    expect(errorOf(() => loadSuites([join(dir, 'nope')])).problem).toBe('no such suite file or folder');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(errorOf(() => loadSuites([empty])).problem).toBe('no *.yaml suite files here');
  });

  it('loads the shipped conformance suite: at least 60 cases, every area covered, every case sourced', () => {
    const { cases, files } = loadSuites([DEFAULT_SUITE_DIR]);
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(files.map((f) => f.area))).toEqual(new Set(['next', 'response', 'error', 'events', 'context', 'init', 'streaming', 'lifecycle', 'robustness']));
    for (const c of cases) {
      expect(c.source).toMatch(/^https:\/\//);
      if (c.level !== 'must') expect(c.rationale, `${c.id} needs a rationale for its level`).toBeTruthy();
    }
  });
});

describe('durations and sized events', () => {
  it('parses numbers and unit strings, and rejects the rest', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('-1000ms')).toBe(-1000);
    expect(parseDuration('3 s')).toBeUndefined();
    expect(parseDuration('fast')).toBeUndefined();
  });

  it('makes a JSON string event of exactly the size asked', () => {
    const e = sizedEvent(6_291_456);
    expect(e.length).toBe(6_291_456);
    expect(JSON.parse(e.toString())).toHaveLength(6_291_454);
  });
});
