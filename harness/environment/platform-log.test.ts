import { describe, expect, it } from 'vitest';
import {
  billedDurationMs,
  endLine,
  initReportLine,
  isFailedInitReport,
  isPlatformLine,
  logFormatOf,
  logTail,
  parsePlatformRecord,
  parseReportLine,
  platformLines,
  reportLine,
  reportRecord,
  startLine,
  startRecord,
} from './platform-log.ts';

const ID = '8f507cbc-5f2a-4d3e-9b1c-2a1b3c4d5e6f';

describe('START / END', () => {
  it('match Lambda text exactly', () => {
    expect(startLine(ID, '$LATEST')).toBe(`START RequestId: ${ID} Version: $LATEST`);
    expect(startLine(ID, '7')).toBe(`START RequestId: ${ID} Version: 7`);
    expect(endLine(ID)).toBe(`END RequestId: ${ID}`);
  });
});

describe('reportLine', () => {
  const base = { durationMs: 12.344, billedDurationMs: 13, memorySizeMb: 128, maxMemoryUsedMb: 40 };

  it('warm invocation: tab-separated, two decimals, trailing tab', () => {
    expect(reportLine(ID, base)).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t`,
    );
  });

  it('cold invocation: Init Duration after Max Memory Used', () => {
    expect(reportLine(ID, { ...base, initDurationMs: 85.2 })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 85.20 ms\t`,
    );
  });

  it('failure: Status and Error Type close the line', () => {
    expect(reportLine(ID, { ...base, initDurationMs: 85.2, status: 'timeout', errorType: 'Sandbox.Timedout' })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t` +
        `Init Duration: 85.20 ms\tStatus: timeout\tError Type: Sandbox.Timedout`,
    );
    expect(reportLine(ID, { ...base, status: 'timeout' })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: timeout`,
    );
  });
});

describe('initReportLine', () => {
  it('matches observed INIT_REPORT lines', () => {
    expect(initReportLine(488.22, 'invoke', 'error', 'Runtime.ExitError')).toBe(
      'INIT_REPORT Init Duration: 488.22 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError',
    );
    expect(initReportLine(10008.8449, 'init', 'timeout')).toBe('INIT_REPORT Init Duration: 10008.84 ms\tPhase: init\tStatus: timeout');
  });
});

describe('parseReportLine', () => {
  it('round-trips every field', () => {
    const fields = {
      durationMs: 3004.92,
      billedDurationMs: 3117,
      memorySizeMb: 128,
      maxMemoryUsedMb: 15,
      initDurationMs: 111.23,
      status: 'error' as const,
      errorType: 'Runtime.ExitError',
    };
    expect(parseReportLine(reportLine(ID, fields))).toEqual({ requestId: ID, ...fields });
    const warm = { durationMs: 1.5, billedDurationMs: 2, memorySizeMb: 512, maxMemoryUsedMb: 74 };
    expect(parseReportLine(reportLine(ID, warm))).toEqual({ requestId: ID, ...warm });
  });

  it('reads a real CloudWatch line (trailing tab and newline)', () => {
    const line =
      'REPORT RequestId: 4f7f240b-e714-464c-b043-c31deef80e6c\tDuration: 1010.14 ms\tBilled Duration: 1011 ms\t' +
      'Memory Size: 128 MB\tMax Memory Used: 115 MB\tInit Duration: 918.52 ms\t\n';
    expect(parseReportLine(line)).toEqual({
      requestId: '4f7f240b-e714-464c-b043-c31deef80e6c',
      durationMs: 1010.14,
      billedDurationMs: 1011,
      memorySizeMb: 128,
      maxMemoryUsedMb: 115,
      initDurationMs: 918.52,
    });
  });

  it('tolerates RIE field order (Init Duration first) and unknown fields', () => {
    const line =
      `REPORT RequestId: ${ID}\tInit Duration: 50.00 ms\tDuration: 100.00 ms\tRestore Duration: 3.00 ms\t` +
      'Billed Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout\t\t';
    expect(parseReportLine(line)).toEqual({
      requestId: ID,
      durationMs: 100,
      billedDurationMs: 100,
      memorySizeMb: 128,
      maxMemoryUsedMb: 128,
      initDurationMs: 50,
      status: 'timeout',
    });
  });

  it('rejects lines that are not complete REPORT lines', () => {
    expect(parseReportLine(startLine(ID, '$LATEST'))).toBeUndefined();
    expect(parseReportLine(`REPORT RequestId: ${ID}\tDuration: 1.00 ms\tMemory Size: 128 MB`)).toBeUndefined();
    expect(parseReportLine('plain output mentioning REPORT RequestId: x')).toBeUndefined();
  });
});

describe('billedDurationMs', () => {
  it('is ceil(duration + init), as in the documented examples', () => {
    expect(billedDurationMs(933.59)).toBe(934);
    expect(billedDurationMs(3004.92, 111.23)).toBe(3117);
    expect(billedDurationMs(133.61, 80.0)).toBe(214);
    expect(billedDurationMs(3016.78, 84.0)).toBe(3101);
    expect(billedDurationMs(12)).toBe(12);
    expect(billedDurationMs(0.7, 0.3)).toBe(1);
  });
});

describe('logTail', () => {
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

  it('joins lines with a trailing newline', () => {
    expect(decode(logTail(['START', 'hello', 'END']))).toBe('START\nhello\nEND\n');
    expect(logTail([])).toBe('');
  });

  it('keeps exactly the last 4096 bytes', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    const full = `${lines.join('\n')}\n`;
    const tail = Buffer.from(logTail(lines), 'base64');
    expect(tail.length).toBe(4096);
    expect(tail.toString('utf8')).toBe(full.slice(full.length - 4096));
    expect(tail.toString('utf8').endsWith(`${lines[199]}\n`)).toBe(true);
  });

  it('never starts inside a multi-byte character', () => {
    // '€' is 3 bytes. The last 4096 bytes are 'z\n' plus 4094 bytes of euros: 4094 is not a multiple of 3, so a
    // plain byte cut would start mid-character; the tail must drop that partial character (2 bytes).
    const line = `${'€'.repeat(2000)}z`;
    const tail = Buffer.from(logTail([line]), 'base64');
    expect(tail.length).toBe(4094);
    const text = tail.toString('utf8');
    expect(text).not.toContain('\uFFFD');
    expect(text).toBe(`${'€'.repeat(1364)}z\n`);
  });

  it('honours a custom size', () => {
    expect(decode(logTail(['abcdef'], 4))).toBe('def\n');
  });
});

describe('JSON platform records (AWS_LAMBDA_LOG_FORMAT=JSON)', () => {
  const at = new Date('2026-01-02T03:04:05.678Z');
  const base = { durationMs: 1233.9614, billedDurationMs: 1698, memorySizeMb: 256, maxMemoryUsedMb: 123 };

  it('picks the format from the environment, JSON in any case', () => {
    expect(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'JSON' })).toBe('json');
    expect(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'Text' })).toBe('text');
    expect(logFormatOf({ AWS_LAMBDA_LOG_FORMAT: 'bogus' })).toBe('text');
    expect(logFormatOf({})).toBe('text');
  });

  it('writes platform.start and platform.report as CloudWatch shows them, and no END', () => {
    const lines = platformLines('json', () => at);
    expect(JSON.parse(lines.start(ID, '$LATEST'))).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      type: 'platform.start',
      record: { requestId: ID, version: '$LATEST' },
    });
    expect(lines.end(ID)).toBeUndefined();
    expect(JSON.parse(lines.report(ID, { ...base, initDurationMs: 463.5124 }))).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      type: 'platform.report',
      record: {
        requestId: ID,
        metrics: { durationMs: 1233.961, billedDurationMs: 1698, memorySizeMB: 256, maxMemoryUsedMB: 123, initDurationMs: 463.512 },
        status: 'success',
      },
    });
    expect(JSON.parse(lines.report(ID, { ...base, status: 'error', errorType: 'Runtime.ExitError' })).record).toMatchObject({
      status: 'error',
      errorType: 'Runtime.ExitError',
    });
    expect(lines.isStart(lines.start(ID, '$LATEST'), ID)).toBe(true);
    expect(lines.isStart(lines.start(ID, '$LATEST'), 'other')).toBe(false);
  });

  it('writes a failed init as platform.initReport', () => {
    const line = platformLines('json', () => at).initReport(10008.84, 'invoke', 'timeout');
    expect(JSON.parse(line)).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      type: 'platform.initReport',
      record: { initializationType: 'on-demand', phase: 'invoke', status: 'timeout', metrics: { durationMs: 10008.84 } },
    });
    expect(isFailedInitReport(line)).toBe(true);
    expect(isFailedInitReport(initReportLine(3, 'init', 'error', 'X'))).toBe(true);
    expect(isPlatformLine(line)).toBe(true);
  });

  it('parses a captured platform.report into the same fields as the text REPORT line', () => {
    // Shape of a real CloudWatch export (Node 22, JSON log format), modern-contract.md §4.1.
    const captured =
      '{"time":"2026-03-14T09:26:53.589Z","type":"platform.report","record":{"requestId":"3f1c2a9e-7d1b-4c55-9a0e-5b8f0c2d7e61",' +
      '"metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,"maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success"}}';
    expect(parseReportLine(captured)).toEqual({
      requestId: '3f1c2a9e-7d1b-4c55-9a0e-5b8f0c2d7e61',
      durationMs: 1233.96,
      billedDurationMs: 1698,
      memorySizeMb: 256,
      maxMemoryUsedMb: 123,
      initDurationMs: 463.512,
    });
    const timeout = reportRecord(at, ID, { ...base, status: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(parseReportLine(timeout)).toMatchObject({ status: 'timeout', errorType: 'Sandbox.Timedout' });
    expect(parseReportLine(startRecord(at, ID, '$LATEST'))).toBeUndefined();
    expect(parseReportLine('{"level":"INFO","message":"platform.report"}')).toBeUndefined();
    expect(parseReportLine('{not json')).toBeUndefined();
    expect(
      parseReportLine('{"time":"x","type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":"1"}}}'),
    ).toBeUndefined();
  });

  it("tells the function's JSON lines from platform records", () => {
    expect(isPlatformLine('{"timestamp":"2026-01-01T00:00:00Z","level":"INFO","message":"platform.start"}')).toBe(false);
    expect(isPlatformLine('START RequestId: x Version: $LATEST')).toBe(true);
    expect(parsePlatformRecord('{"time":"t","type":"platform.start","record":{"requestId":"r"}}')?.type).toBe('platform.start');
  });
});
