import { describe, expect, it } from 'vitest';
import { exchangeToJson } from '../model/recording.ts';
import { scrub, scrubExchange } from './scrub.ts';

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
});
