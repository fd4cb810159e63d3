/**
 * The deployed environment reading a JSON-format function's log tail: REPORT figures, cold start and init failures
 * come from `platform.*` records. The records are shaped exactly as a CloudWatch export of a real function with
 * JSON log format shows them (modern-contract.md §4.1, OBS-JSON); the client is a stand-in that returns them.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { testFunctionConfig } from '../../testing/test-config.ts';
import { DeployedEnvironment } from './deployed-environment.ts';

const ID = '3f1c2a9e-7d1b-4c55-9a0e-5b8f0c2d7e61';
const INIT_START =
  '{"time":"2026-03-14T09:26:52.120Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init",' +
  '"runtimeVersion":"nodejs:22.mainline.v122","runtimeVersionArn":"arn:aws:lambda:us-east-1::runtime:0123456789abcdef",' +
  '"functionName":"probe-fn","functionVersion":"$LATEST","instanceId":"2026/03/14/[$LATEST]abcdef","instanceMaxMemory":268435456}}';
const START = `{"time":"2026-03-14T09:26:52.356Z","type":"platform.start","record":{"requestId":"${ID}","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:probe-fn","version":"$LATEST"}}`;
const APP = `{"timestamp":"2026-03-14T09:26:52.400Z","level":"ERROR","requestId":"${ID}","message":"something broke"}`;
const REPORT =
  `{"time":"2026-03-14T09:26:53.589Z","type":"platform.report","record":{"requestId":"${ID}",` +
  '"metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,"maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success"}}';

function environment(answer: { Payload: string; LogResult: string; FunctionError?: string }): DeployedEnvironment {
  const client = {
    send: () =>
      Promise.resolve({
        Payload: Buffer.from(answer.Payload),
        LogResult: answer.LogResult,
        ...(answer.FunctionError !== undefined ? { FunctionError: answer.FunctionError } : {}),
        $metadata: { requestId: ID },
      }),
  } as unknown as LambdaClient;
  return new DeployedEnvironment(testFunctionConfig({ functionName: 'probe-fn' }), { client, functionName: 'probe-fn', streaming: false });
}

const tail = (...lines: string[]): string => Buffer.from(`${lines.join('\n')}\n`).toString('base64');

describe('DeployedEnvironment with a JSON-format function', () => {
  it('takes REPORT figures and the cold start from platform.report, and marks platform records as platform lines', async () => {
    const r = await environment({ Payload: '{"ok":true}', LogResult: tail(INIT_START, START, APP, REPORT) }).invoke({
      payload: Buffer.from('{}'),
    });
    expect(r.report).toEqual({
      durationMs: 1233.96,
      billedDurationMs: 1698,
      memorySizeMb: 256,
      maxMemoryUsedMb: 123,
      initDurationMs: 463.512,
    });
    expect(r.coldStart).toBe(true);
    expect(r.logs.map((l) => l.stream)).toEqual(['platform', 'platform', 'stdout', 'platform']);
  });

  it('reads a warm report without initDurationMs as warm', async () => {
    const warm = REPORT.replace(',"initDurationMs":463.512', '');
    const r = await environment({ Payload: '{}', LogResult: tail(START, warm) }).invoke({ payload: Buffer.from('{}') });
    expect(r.coldStart).toBe(false);
    expect(r.report.billedDurationMs).toBe(1698);
  });

  it('counts an error after a failed platform.initReport as a platform error', async () => {
    const initReport =
      '{"time":"2026-03-14T09:26:52.900Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init",' +
      '"status":"error","errorType":"Probe.InitFailed","metrics":{"durationMs":512.3}}}';
    const r = await environment({
      Payload: '{"errorType":"Probe.InitFailed","errorMessage":"init failed"}',
      LogResult: tail(initReport, START, REPORT.replace('"status":"success"', '"status":"error","errorType":"Probe.InitFailed"')),
      FunctionError: 'Unhandled',
    }).invoke({ payload: Buffer.from('{}') });
    expect(r.outcome.kind).toBe('platform-error');
    expect(r.report).toMatchObject({ status: 'error', errorType: 'Probe.InitFailed' });
  });
});
