/**
 * The Invoke front in front of a real execution environment and a real runtime process, called through
 * @aws-sdk/client-lambda: the round trip a user of `lambdaspec serve` makes.
 */
import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../environment/local-environment.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { parseReportLine } from '../environment/platform-log.ts';
import { InvokeFront } from './front.ts';

const MINI = fileURLToPath(new URL('../testing/fixtures/mini-runtime.py', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-front-'));
let env: LocalEnvironment;
/** As `serve` runs it: no wire recording. */
let unrecorded: LocalEnvironment;
let front: InvokeFront;
let client: LambdaClient;

beforeAll(async () => {
  env = await LocalEnvironment.create(
    testFunctionConfig({ functionName: 'mini', memorySizeMb: 256, timeoutMs: 1000, taskRoot: scratch, bootstrap: MINI }),
    { hostPath: process.env['PATH'] ?? '' },
  );
  unrecorded = await LocalEnvironment.create(
    testFunctionConfig({ functionName: 'quiet', timeoutMs: 1000, taskRoot: scratch, bootstrap: MINI }),
    { hostPath: process.env['PATH'] ?? '', record: false },
  );
  front = new InvokeFront({ resolve: (name) => (name === 'mini' ? env : name === 'quiet' ? unrecorded : undefined) });
  const { url } = await front.start();
  client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
});

afterAll(async () => {
  client.destroy();
  await front.close();
  await env.close();
  await unrecorded.close();
  rmSync(scratch, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

const decode = (p: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(p ?? []).toString());

describe('Invoke front over a real runtime', () => {
  it('invokes with a log tail whose REPORT carries Init Duration on the cold start only', async () => {
    const cold = await client.send(
      new InvokeCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"echo","value":7}'), LogType: 'Tail' }),
    );
    expect(cold.StatusCode).toBe(200);
    expect(cold.FunctionError).toBeUndefined();
    expect(cold.ExecutedVersion).toBe('$LATEST');
    expect(decode(cold.Payload)).toMatchObject({ echo: 7 });
    const coldLog = Buffer.from(cold.LogResult!, 'base64').toString();
    expect(coldLog).toMatch(/^START RequestId: \S+ Version: \$LATEST/m);
    const coldReport = parseReportLine(coldLog.split('\n').find((l) => l.startsWith('REPORT'))!);
    expect(coldReport).toMatchObject({ memorySizeMb: 256 });
    expect(coldReport!.initDurationMs).toBeGreaterThan(0);

    const warm = await client.send(new InvokeCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"echo"}'), LogType: 'Tail' }));
    const warmReport = parseReportLine(
      Buffer.from(warm.LogResult!, 'base64')
        .toString()
        .split('\n')
        .find((l) => l.startsWith('REPORT'))!,
    );
    expect(warmReport!.initDurationMs).toBeUndefined();
  });

  it('returns 200 + FunctionError with Lambda JSON payloads for handler errors, timeouts and crashes', async () => {
    const handler = await client.send(new InvokeCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"error"}') }));
    expect(handler.StatusCode).toBe(200);
    expect(handler.FunctionError).toBe('Unhandled');
    expect(decode(handler.Payload)).toMatchObject({ errorType: 'Mini.Error', errorMessage: 'boom' });

    const timeout = await client.send(new InvokeCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"sleep","ms":3000}') }));
    expect(timeout.FunctionError).toBe('Unhandled');
    expect(decode(timeout.Payload)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
    });

    const crash = await client.send(new InvokeCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"exit","code":9}') }));
    expect(crash.FunctionError).toBe('Unhandled');
    expect(decode(crash.Payload)).toMatchObject({ errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('exit status 9') });
  });

  it('streams a buffered runtime response as PayloadChunk + InvokeComplete', async () => {
    const res = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'mini', Payload: Buffer.from('{"do":"echo","value":"s"}'), LogType: 'Tail' }),
    );
    const chunks: Buffer[] = [];
    let complete: { ErrorCode?: string; LogResult?: string } | undefined;
    for await (const event of res.EventStream!) {
      if (event.PayloadChunk?.Payload) chunks.push(Buffer.from(event.PayloadChunk.Payload));
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ echo: 's' });
    expect(complete?.ErrorCode).toBeUndefined();
    expect(Buffer.from(complete!.LogResult!, 'base64').toString()).toContain('REPORT RequestId:');
  });

  it('forwards mid-stream error trailers with or without recording: InvokeComplete and a buffered Invoke', async () => {
    const event = Buffer.from('{"do":"stream","chunks":["one ","two"],"error":true}');
    for (const name of ['mini', 'quiet']) {
      const res = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: event }));
      const chunks: Buffer[] = [];
      let complete: { ErrorCode?: string; ErrorDetails?: string } | undefined;
      for await (const e of res.EventStream!) {
        if (e.PayloadChunk?.Payload) chunks.push(Buffer.from(e.PayloadChunk.Payload));
        if (e.InvokeComplete) complete = e.InvokeComplete;
      }
      expect(Buffer.concat(chunks).toString(), name).toBe('one two');
      expect(complete?.ErrorCode, name).toBe('Mini.Mid');
      expect(JSON.parse(complete?.ErrorDetails ?? 'null'), name).toEqual({ errorType: 'Mini.Mid', errorMessage: 'mid' });

      const sync = await client.send(new InvokeCommand({ FunctionName: name, Payload: event }));
      expect(sync.FunctionError, name).toBe('Unhandled');
      expect(decode(sync.Payload), name).toEqual({ errorType: 'Mini.Mid', errorMessage: 'mid' });
    }
  });
});
