import { describe, expect, it } from 'vitest';
import { reportLine, reportRecord } from '../environment/platform-log.ts';
import { tailShowsColdStart } from './http-sender.ts';

const tail = (...lines: string[]): string => Buffer.from(`${lines.join('\n')}\n`).toString('base64');
const fields = { durationMs: 2, billedDurationMs: 3, memorySizeMb: 128, maxMemoryUsedMb: 40 };

describe('tailShowsColdStart', () => {
  it('reads Init Duration from a text REPORT line and from a JSON platform.report record', () => {
    expect(tailShowsColdStart(tail('START RequestId: r Version: $LATEST', reportLine('r', { ...fields, initDurationMs: 5 })))).toBe(true);
    expect(tailShowsColdStart(tail(reportLine('r', fields)))).toBe(false);
    const at = new Date();
    expect(tailShowsColdStart(tail('{"level":"INFO","message":"hi"}', reportRecord(at, 'r', { ...fields, initDurationMs: 5 })))).toBe(true);
    expect(tailShowsColdStart(tail(reportRecord(at, 'r', fields)))).toBe(false);
  });
});
