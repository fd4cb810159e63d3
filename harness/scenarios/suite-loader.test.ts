import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUITE_DIR, loadSuiteFile, loadSuites, sizedEvent } from './suite-loader.ts';
import { errorOf } from '../testing/scenario-helpers.ts';

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
    expect(
      errorOf(() =>
        loadSuiteFile(
          file('area: demo\ncases:\n  - id: demo.x\n    title: t\n    level: must\n    source: https://x\n    steps: [{ sleep: 1 }]\n'),
        ),
      ).problem,
    ).toBe('cases[0] is missing "requirement"');
    expect(errorOf(() => loadSuiteFile(file(HEAD.replace('level: must', 'level: MUST') + '    steps: [{ sleep: 1 }]\n'))).problem).toMatch(
      /level must be one of "must", "should", "may"/,
    );
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    timeout: 3 seconds\n    steps: [{ sleep: 1 }]\n`))).line).toBe(8);
    const re = errorOf(() =>
      loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: 1 }\n        expect: { result: { payloadText: { regex: "(" } } }\n`)),
    );
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

describe('matchers in suite files', () => {
  // Lines 1-7 are HEAD; the payload matcher starts on line 13.
  const withPayload = (payload: string): string =>
    file(`${HEAD}    steps:\n      - invoke: { event: 1 }\n        expect:\n          result:\n            payload:\n${payload}`);

  it('accepts every operator, nested in subsets and arrays', () => {
    const p = withPayload(`              a: { $regex: "^x", $len: { min: 1 } }
              b: [1, { $type: integer }, { $any: true }]
              c: { $absent: true }
              d: { $exact: { e: 1 } }
              f: { $gte: 1, $lte: 2 }
              g: { $oneOf: [1, { $regex: y }] }
              h: { $not: { $contains: z } }
              i: { $contains: { id: "{{requestId}}" } }
`);
    const step = loadSuiteFile(p).cases[0]!.steps[0]!;
    expect(step.expect.result?.payload).toMatchObject({ c: { $absent: true }, g: { $oneOf: [1, { $regex: 'y' }] } });
  });

  it('rejects an unknown operator at its line, suggesting the one meant', () => {
    const e = errorOf(() => loadSuiteFile(withPayload('              a:\n                b: { $regx: "x" }\n')));
    expect(e.line).toBe(14);
    expect(e.problem).toBe('cases[0].steps[0].expect.result.payload.a.b has unknown matcher operator "$regx" (did you mean "$regex"?)');
    const far = errorOf(() => loadSuiteFile(withPayload('              $matches: x\n')));
    expect(far.problem).toMatch(
      /has unknown matcher operator "\$matches" \(known: \$regex, \$type, \$any, \$absent, \$exact, .*\$contains\)$/,
    );
  });

  it('rejects operators mixed with plain keys, and bad operator arguments', () => {
    const mixed = errorOf(() => loadSuiteFile(withPayload('              a: 1\n              $regex: x\n')));
    expect(mixed.line).toBe(14);
    expect(mixed.problem).toMatch(/^cases\[0\]\.steps\[0\]\.expect\.result\.payload mixes the matcher operator "\$regex" with plain keys/);
    expect(errorOf(() => loadSuiteFile(withPayload('              a: { $type: strng }\n'))).problem).toMatch(
      /payload\.a\.\$type must be one of "string", "number", "integer"/,
    );
    expect(errorOf(() => loadSuiteFile(withPayload('              a: [{ $any: false }]\n'))).problem).toBe(
      'cases[0].steps[0].expect.result.payload.a[0].$any must be true',
    );
    expect(errorOf(() => loadSuiteFile(withPayload('              $oneOf: x\n'))).problem).toBe(
      'cases[0].steps[0].expect.result.payload.$oneOf must be array',
    );
  });

  it('checks wire json matchers the same way', () => {
    const p = file(`${HEAD}    steps:
      - invoke: { event: 1 }
        expect:
          wire:
            exchanges:
              - kind: response
                json: { a: { $exat: 1 } }
`);
    const e = errorOf(() => loadSuiteFile(p));
    expect(e.line).toBe(14);
    expect(e.problem).toMatch(/wire\.exchanges\[0\]\.json\.a has unknown matcher operator "\$exat" \(did you mean "\$exact"\?\)/);
  });

  it('rejects a fault kind the recorder never reports', () => {
    const p = file(
      `${HEAD}    steps:\n      - invoke: { event: 1 }\n        expect: { wire: { exchanges: [{ fault: bad-chunksize }] } }\n`,
    );
    expect(errorOf(() => loadSuiteFile(p)).problem).toMatch(/fault must be one of "any", "none", "bad-request-line"/);
  });
});

describe('events and keys', () => {
  it('decodes rawEventBase64 to the exact bytes and refuses text that is not base64', () => {
    const step = loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { rawEventBase64: "AP8K" }\n`)).cases[0]!.steps[0]!;
    expect(step.kind === 'invoke' && [...step.payload]).toEqual([0x00, 0xff, 0x0a]);
    const e = errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { rawEventBase64: "not base64!" }\n`)));
    expect(e.line).toBe(9);
    expect(e.problem).toMatch(/invoke\.rawEventBase64 must match/);
  });

  it('serialises event compactly and takes rawEvent as UTF-8', () => {
    const [a, b] = loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: "é" }\n      - invoke: { rawEvent: "é" }\n`)).cases[0]!
      .steps;
    expect(a!.kind === 'invoke' && a!.payload.toString('hex')).toBe('22c3a922');
    expect(b!.kind === 'invoke' && b!.payload.toString('hex')).toBe('c3a9');
  });

  it('bounds eventSize', () => {
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { eventSize: 1 }\n`))).problem).toMatch(
      /eventSize must be >= 2/,
    );
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { eventSize: 100000000 }\n`))).problem).toMatch(
      /eventSize must be <= 33554432/,
    );
  });

  it('suggests the key a typo meant', () => {
    const e = errorOf(() => loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: 1, clientContxt: {} }\n`)));
    expect(e.problem).toBe('cases[0].steps[0].invoke has unknown key "clientContxt" (did you mean "clientContext"?)');
  });

  it('refuses a key given twice in one mapping, at its line', () => {
    const e = errorOf(() => loadSuiteFile(file(`${HEAD}    title: Again\n    steps: [{ sleep: 1 }]\n`)));
    expect(e.line).toBe(8);
    expect(e.problem).toMatch(/^YAML syntax error: Map keys must be unique/);
  });

  it('rejects a negative duration where only the deadline offset may be negative', () => {
    expect(errorOf(() => loadSuiteFile(file(`${HEAD}    steps: [{ sleep: -5ms }]\n`))).line).toBe(8);
    const ok = loadSuiteFile(file(`${HEAD}    steps:\n      - invoke: { event: 1, faults: { deadlineOffset: -2.5s } }\n`)).cases[0]!
      .steps[0]!;
    expect(ok.kind === 'invoke' && ok.faults?.deadlineOffsetMs).toBe(-2500);
  });
});

describe('loadSuites', () => {
  it('loads a file named twice (alone and through its folder) once, without calling it a duplicate', () => {
    const sub = join(dir, 'twice');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.yaml'), `${HEAD}    steps: [{ sleep: 1 }]\n`);
    const { files, cases } = loadSuites([join(sub, 'a.yaml'), sub]);
    expect(files).toHaveLength(1);
    expect(cases.map((c) => c.id)).toEqual(['demo.one']);
  });

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
    expect(new Set(files.map((f) => f.area))).toEqual(
      new Set(['next', 'response', 'error', 'events', 'context', 'init', 'streaming', 'lifecycle', 'robustness', 'logging']),
    );
    for (const c of cases) {
      expect(c.source).toMatch(/^https:\/\//);
      if (c.level !== 'must') expect(c.rationale, `${c.id} needs a rationale for its level`).toBeTruthy();
    }
  });
});

describe('sized events', () => {
  it('makes a JSON string event of exactly the size asked', () => {
    const e = sizedEvent(6_291_456);
    expect(e.length).toBe(6_291_456);
    expect(JSON.parse(e.toString())).toHaveLength(6_291_454);
  });
});
