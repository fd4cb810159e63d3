/** Function URLs on the local front, called with the function-URL client: prelude → HTTP head, body streamed. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { memoryIo } from '../cli/io.ts';
import { LocalEnvironment } from '../environment/local-environment.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import { callFunctionUrl } from '../remote/deployed/function-url-client.ts';
import { InvokeFront } from './front.ts';
import { HTTP_INTEGRATION_CONTENT_TYPE } from './http-integration.ts';
import { parseConfigurationUpdate } from './function-configuration.ts';
import { parseFunctionUrlPath, preludeHead } from './function-url.ts';

const MINI = fileURLToPath(new URL('../testing/fixtures/mini-runtime.py', import.meta.url));
let env: LocalEnvironment;
let front: InvokeFront;
let base: string;

beforeAll(async () => {
  env = await LocalEnvironment.create(testFunctionConfig({ functionName: 'web', bootstrap: MINI, taskRoot: '/tmp' }));
  front = new InvokeFront({ resolve: (n) => (n === 'web' ? env : undefined) });
  base = `${(await front.start()).url}/lambda-url/web`;
});

afterAll(async () => {
  await front.close();
  await env.close();
});

const NUL8 = '\u0000'.repeat(8);

describe('function URL on the local front', () => {
  it('turns the HTTP-integration prelude into status, headers and cookies, then streams the body', async () => {
    const prelude = JSON.stringify({
      statusCode: 201,
      headers: { 'x-probe': 'yes', 'content-type': 'text/plain' },
      cookies: ['a=1', 'b=2'],
    });
    const event = { do: 'stream', contentType: HTTP_INTEGRATION_CONTENT_TYPE, chunks: [`${prelude}${NUL8}hello `, 'world'], delayMs: 50 };
    const seen: string[] = [];
    const r = await callFunctionUrl(new URL(`${base}/greet?x=1`), { body: Buffer.from(JSON.stringify(event)) }, (b) =>
      seen.push(b.toString()),
    );
    expect(r.status).toBe(201);
    expect(r.headers['x-probe']).toBe('yes');
    expect(r.cookies).toEqual(['a=1', 'b=2']);
    expect(r.body.toString()).toBe('hello world');
    expect(seen.join('')).toBe('hello world');
    expect(r.chunks.length).toBeGreaterThanOrEqual(2);
    expect(r.truncated).toBe(false);
  });

  it('hands the function a payload-format 2.0 event built from the request', async () => {
    const r = await callFunctionUrl(new URL(`${base}/a/b?q=1&q=2`), {
      method: 'PUT',
      headers: { cookie: 'c=3; d=4', 'x-h': 'v' },
      body: Buffer.from('{"do":"url-event"}'),
    });
    const event = JSON.parse(r.body.toString()) as Record<string, unknown> & { requestContext: { http: { method: string } } };
    expect(r.status).toBe(200);
    expect(event['version']).toBe('2.0');
    expect(event['rawPath']).toBe('/a/b');
    expect(event['rawQueryString']).toBe('q=1&q=2');
    expect(event['queryStringParameters']).toEqual({ q: '1,2' });
    expect(event['cookies']).toEqual(['c=3', 'd=4']);
    expect((event['headers'] as Record<string, string>)['x-h']).toBe('v');
    expect(event.requestContext.http.method).toBe('PUT');
    expect(event['isBase64Encoded']).toBe(false);
  });

  it('answers 502 for a failed invocation and cuts the body on a mid-stream error', async () => {
    const failed = await callFunctionUrl(new URL(base), { body: Buffer.from('{"do":"error"}') });
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.body.toString())).toEqual({ Message: 'Internal Server Error' });
    const cut = await callFunctionUrl(new URL(base), {
      body: Buffer.from(JSON.stringify({ do: 'stream', chunks: ['part'], error: true })),
    });
    expect(cut.status).toBe(200);
    expect(cut.truncated).toBe(true);
  });

  it('lambdaspec invoke --url prints the body on stdout and the head and chunks on stderr', async () => {
    const io = memoryIo(
      JSON.stringify({ do: 'stream', contentType: HTTP_INTEGRATION_CONTENT_TYPE, chunks: [`{"statusCode":202}${NUL8}ok`] }),
    );
    const code = await main(['invoke', '--url', `${base}/`, '--event', '-'], io);
    expect(code).toBe(0);
    expect(io.stdout()).toBe('ok\n');
    expect(io.stderr()).toMatch(/^HTTP 202, 1 chunk\(s\), 2 bytes/);
    const bad = memoryIo();
    expect(await main(['invoke', '--url', 'http://127.0.0.1:9/x'], bad)).toBe(2);
    expect(bad.stderr()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});

describe('function URL and configuration helpers', () => {
  it('parses function-URL paths', () => {
    expect(parseFunctionUrlPath('/lambda-url/fn')).toEqual({ name: 'fn', rawPath: '/' });
    expect(parseFunctionUrlPath('/lambda-url/fn/x/y')).toEqual({ name: 'fn', rawPath: '/x/y' });
    expect(parseFunctionUrlPath('/lambda-url/b@d/x')).toBeUndefined();
    expect(parseFunctionUrlPath('/2015-03-31/functions/fn/invocations')).toBeUndefined();
  });

  it('keeps only usable prelude members', () => {
    expect(preludeHead({ statusCode: 999, headers: { a: 'b', n: 1 }, cookies: ['c=1', 2] })).toEqual({
      status: 200,
      headers: { a: 'b', 'Set-Cookie': ['c=1'] },
    });
  });

  it('parses UpdateFunctionConfiguration bodies and refuses what it would not apply', () => {
    expect(parseConfigurationUpdate(Buffer.from('{"Environment":{"Variables":{"A":"1"}},"Timeout":5,"MemorySize":256}'))).toEqual({
      environment: { A: '1' },
      timeoutMs: 5000,
      memorySizeMb: 256,
    });
    expect(parseConfigurationUpdate(Buffer.from('{"Runtime":"nodejs22.x"}'))).toMatch(/does not apply Runtime/);
    expect(parseConfigurationUpdate(Buffer.from('{"Timeout":0}'))).toMatch(/Timeout must be/);
    expect(parseConfigurationUpdate(Buffer.from('{"Environment":{"Variables":{"A":1}}}'))).toMatch(/Variables/);
  });
});
