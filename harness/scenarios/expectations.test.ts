import { describe, expect, it } from 'vitest';
import type { InvocationResult } from '../model/invocation.ts';
import { evaluateStep, type StepObservation } from './expectations.ts';
import type { Expectations } from './suite-model.ts';

function result(over: Partial<InvocationResult>): InvocationResult {
  return {
    requestId: 'r1',
    outcome: { kind: 'response', streamed: false, chunks: [] },
    payload: Buffer.from('{}'),
    logs: [],
    report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 10 },
    coldStart: false,
    timings: { receivedAt: 0, done: 1 },
    ...over,
  };
}

function observe(expect: Expectations, over: Partial<StepObservation> = {}): StepObservation {
  return {
    index: 2,
    step: { kind: 'invoke', location: { file: 'x.yaml', line: 1 }, expect, payload: Buffer.from('{}'), stream: false, logTail: false },
    exchanges: [],
    logs: [],
    startedProcess: false,
    exits: [],
    invokerChunks: [],
    actionFindings: [],
    ...over,
  };
}

describe('findings say what is missing', () => {
  it('samePid with no earlier process names that, not "pid ?"', () => {
    const { findings } = evaluateStep(observe({ process: { samePid: true } }, { pidAfter: 42, startedProcess: true }));
    expect(findings).toEqual([
      {
        step: 2,
        path: 'process.samePid',
        expected: 'the process of the previous step still serving',
        actual: 'no process was serving when the step began (the previous one had exited or never started); pid 42 (re-initialised)',
      },
    ]);
  });

  it('a judged payload that is a platform error document is not the handler answering', () => {
    const crashed = result({
      outcome: { kind: 'platform-error', error: { errorType: 'Runtime.ExitError', errorMessage: 'exit status 1' } },
      payload: Buffer.from('{"errorType":"Runtime.ExitError","errorMessage":"exit status 1"}'),
      functionError: 'Unhandled',
    });
    // `clientContext` is absent from the error document, so { $nullish } alone would have held.
    const { findings } = evaluateStep(observe({ result: { payload: { clientContext: { $nullish: true } } } }, { result: crashed }));
    expect(findings).toEqual([
      { step: 2, path: 'result.outcome', expected: "the handler's response", actual: 'platform-error (Runtime.ExitError: exit status 1)' },
    ]);
  });

  it('a JSON payload must be valid UTF-8: CESU-8 surrogates are not read leniently', () => {
    const cesu = Buffer.from([0x22, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0x22]);
    const { findings } = evaluateStep(observe({ result: { payload: '😀' } }, { result: result({ payload: cesu }) }));
    expect(findings[0]).toMatchObject({ path: 'result.payload', actual: expect.stringMatching(/^not valid UTF-8: /) as unknown });
  });

  it('$nullish holds for null and for a missing member, and a literal null still means exactly null', () => {
    const absent = result({ payload: Buffer.from('{"n":1}') });
    expect(evaluateStep(observe({ result: { payload: { x: { $nullish: true } } } }, { result: absent })).findings).toEqual([]);
    expect(
      evaluateStep(observe({ result: { payload: { x: { $nullish: true } } } }, { result: result({ payload: Buffer.from('{"x":null}') }) }))
        .findings,
    ).toEqual([]);
    expect(
      evaluateStep(observe({ result: { payload: { x: { $nullish: true } } } }, { result: result({ payload: Buffer.from('{"x":{}}') }) }))
        .findings,
    ).toHaveLength(1);
    expect(evaluateStep(observe({ result: { payload: { x: null } } }, { result: absent })).findings).toEqual([
      { step: 2, path: 'result.payload.x', expected: 'null', actual: 'absent' },
    ]);
  });
});
