import { describe, expect, it } from 'vitest';
import type { LogLine } from '../model/invocation.ts';
import { evaluateStep, type StepObservation } from './expectations.ts';
import type { Expectations, Step } from './suite-model.ts';

function observe(logs: Expectations['logs'], lines: LogLine[]): StepObservation {
  const step = { kind: 'invoke', payload: Buffer.from('{}'), location: { file: 'x.yaml', line: 1 }, expect: { logs } } as unknown as Step;
  return { index: 1, step, exchanges: [], logs: lines, startedProcess: false, exits: [], invokerChunks: [], actionFindings: [] };
}

const out = (text: string): LogLine => ({ at: 0, stream: 'stdout', text });
const WARN = out('{"timestamp":"2026-01-01T00:00:00.000Z","level":"WARN","message":"m-1"}');
const INFO = out('{"level":"INFO","message":"m-1"}');

describe('logs.json / logs.notJson', () => {
  it('matches runtime lines that are JSON objects, by subset', () => {
    expect(evaluateStep(observe({ json: [{ level: 'WARN', message: { $regex: 'm-1' } }] }, [out('plain'), WARN])).findings).toEqual([]);
    const miss = evaluateStep(observe({ json: [{ level: 'ERROR' }] }, [WARN, out('{not json'), out('[1]')])).findings;
    expect(miss).toHaveLength(1);
    expect(miss[0]!.actual).toContain('1 JSON lines, none matching');
  });

  it('fails notJson on the first JSON line that matches, and ignores platform records', () => {
    expect(evaluateStep(observe({ notJson: [{ level: 'INFO' }] }, [WARN, INFO])).findings[0]!.actual).toContain('"INFO"');
    const platform: LogLine = { at: 0, stream: 'platform', text: '{"time":"t","type":"platform.start","level":"INFO","record":{}}' };
    expect(
      evaluateStep(observe({ notJson: [{ level: 'INFO' }], json: [{ type: 'platform.start' }] }, [platform])).findings.map((f) => f.path),
    ).toEqual(['logs.json[0]']);
  });
});
