import { describe, expect, it } from 'vitest';
import { exchangeToJson } from '../model/recording.ts';
import { scrub, scrubbedExchangeJson, scrubExchange, scrubFile, scrubPreview } from './scrub.ts';

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD';

describe('scrub', () => {
  it('replaces access key ids, secret keys and session tokens, naming what stood there', () => {
    const env = `AWS_ACCESS_KEY_ID=${KEY_ID}\nAWS_SECRET_ACCESS_KEY=${SECRET}\nAWS_SESSION_TOKEN=${TOKEN}`;
    expect(scrub(env)).toBe(
      'AWS_ACCESS_KEY_ID=[REDACTED:access-key-id]\nAWS_SECRET_ACCESS_KEY=[REDACTED:secret-access-key]\nAWS_SESSION_TOKEN=[REDACTED:session-token]',
    );
    expect(scrub(`{"SecretAccessKey": "${SECRET}", "key": "ASIA${'Q'.repeat(16)}"}`)).toBe(
      '{"SecretAccessKey": "[REDACTED:secret-access-key]", "key": "[REDACTED:access-key-id]"}',
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'START RequestId: 8476a536-e9f4-11e8-9739-2dfe598c3fcd Version: $LATEST AKIA-not-a-key';
    expect(scrub(text)).toBe(text);
  });

  it('scrubs exchange headers, trailers and bodies, base64 included', () => {
    const x = exchangeToJson({
      seq: 1,
      connection: 1,
      kind: 'response',
      request: {
        method: 'POST',
        target: '/2018-06-01/runtime/invocation/r/response',
        httpVersion: '1.1',
        headers: [{ name: 'X-Leak', value: KEY_ID }],
        body: Buffer.from(`{"AWS_SECRET_ACCESS_KEY":"${SECRET}"}`),
        chunked: false,
        chunks: [],
        trailers: [{ name: 'X-T', value: `session_token=${TOKEN}` }],
        timing: { start: 0, headersDone: 0 },
      },
    });
    const scrubbed = scrubExchange(x);
    const clean = JSON.stringify(scrubbed);
    for (const secret of [KEY_ID, SECRET, TOKEN]) expect(clean).not.toContain(secret);
    expect(Buffer.from(scrubbed.request.body.base64, 'base64').toString()).toBe('{"AWS_SECRET_ACCESS_KEY":"[REDACTED:secret-access-key]"}');
    expect(scrubbed.request.body.size).toBe(x.request.body.size);
  });

  it('finds key ids glued to a word, secret= in error messages, bare secret keys in lines, arrays and chunks', () => {
    expect(scrub(`xAKIAIOSFODNN7EXAMPLE`)).toBe('x[REDACTED:access-key-id]');
    expect(scrub(`Error: connect failed (user=app secret=hunter2x)`)).toBe('Error: connect failed (user=app secret=[REDACTED:secret])');
    expect(scrub(`{"errorMessage":"db password: 'sw0rdfish!'"}`)).toBe(`{"errorMessage":"db password: '[REDACTED:secret]'"}`);
    expect(scrub(`loaded ${SECRET} from the vault`)).toBe('loaded [REDACTED:secret-access-key] from the vault');
    expect(scrub(`["${SECRET}",1]`)).toBe('["[REDACTED:secret-access-key]",1]');
    expect(scrub(`token ${TOKEN}`)).toBe('token [REDACTED:session-token]');
  });

  it('keeps false positives low: digests, UUIDs, trace ids, long base64, numbers', () => {
    const ordinary = [
      'commit 3f786850e387550fdab836ed7e6dc881de23001b',
      'RequestId: 8476a536-e9f4-11e8-9739-2dfe598c3fcd',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      `body ${Buffer.alloc(90, 7).toString('base64')}`,
      'max_tokens=100 and password_policy is strict',
      'the function took 1234567890123456789012345678901234567890 ms',
    ];
    for (const text of ordinary) expect(scrub(text)).toBe(text);
    // A whole file's 30-byte body in base64 has a bare key's shape: the file pass leaves it to the text passes.
    const b64 = Buffer.from('{"probe":"echo","payload":"x"}').toString('base64');
    expect(scrubFile(`"base64": "${b64}"`)).toBe(`"base64": "${b64}"`);
  });

  it('scrubs before it cuts a preview, so no prefix of a secret survives', () => {
    const text = `${'a'.repeat(280)} aws_secret_access_key=${SECRET}`;
    const preview = scrubPreview(text, 300);
    expect(preview).not.toContain(SECRET.slice(0, 8));
    expect(preview.endsWith('…')).toBe(true);
  });

  it('scrubs an exchange body whole before bounding it for a report, and its target and fault detail', () => {
    const body = Buffer.from(`${'x'.repeat(1000)} ${SECRET} ${'y'.repeat(100)}`);
    const x = scrubbedExchangeJson(
      {
        seq: 1,
        connection: 1,
        kind: 'response',
        request: {
          method: 'POST',
          target: `/2018-06-01/runtime/invocation/${KEY_ID}/response`,
          httpVersion: '1.1',
          headers: [],
          body,
          chunked: false,
          chunks: [],
          trailers: [],
          timing: { start: 0, headersDone: 0 },
        },
        fault: { kind: 'closed-mid-body', detail: `secret=${SECRET}`, at: 1 },
      },
      1010,
    );
    const clean = JSON.stringify(x);
    expect(clean).not.toContain(KEY_ID);
    expect(clean).not.toContain(SECRET.slice(0, 10));
    expect(Buffer.from(x.request.body.base64, 'base64').toString()).toBe(`${'x'.repeat(1000)} [REDACTED`);
    expect(x.request.body).toMatchObject({ size: body.length, truncated: true });
  });
});
