import { afterEach, describe, expect, it } from 'vitest';
import {
  forgetSecrets,
  isSecretVariable,
  knownSecrets,
  registerCredentials,
  registerSecret,
  registerSecretsFromEnvironment,
  secretVariants,
} from './known-secrets.ts';
import { scrub } from './scrub.ts';

const SECRET = 'hunter2-but-longer/+=';

afterEach(() => forgetSecrets());

describe('known secrets', () => {
  it('finds a known value inside base64 text at every byte offset, in base64 and base64url', () => {
    const variants = secretVariants(SECRET)
      .filter((v) => v.encoding === 'base64')
      .map((v) => v.text);
    for (let offset = 0; offset < 6; offset++) {
      for (const suffix of ['', 'x', 'yz', ' and more text after it']) {
        const bytes = Buffer.from(`${'p'.repeat(offset)}${SECRET}${suffix}`);
        for (const b64 of [bytes.toString('base64'), bytes.toString('base64url')]) {
          expect(
            variants.some((v) => b64.includes(v)),
            `offset ${offset}, suffix "${suffix}": ${b64}`,
          ).toBe(true);
        }
      }
    }
  });

  it('redacts a registered value plain, JSON-escaped (once and twice), HTML-escaped, URL-encoded and in base64', () => {
    const secret = 'pa"ss/w<o>rd+long\u00e9';
    registerSecret(secret, 'secret');
    const forms = [
      secret,
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(JSON.stringify(secret)).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
      'pa&quot;ss/w&lt;o&gt;rd+long\u00e9',
      encodeURIComponent(secret),
      Buffer.from(`ab${secret}`).toString('base64'),
    ];
    for (const form of forms) {
      const out = scrub(`before ${form} after`);
      expect(out, form).toMatch(/^before .*\[REDACTED:secret(:base64)?\].* after$/);
      expect(out, form).not.toContain('long');
    }
  });

  it('takes secret-looking variables of a function environment, by name or by value, and leaves the rest', () => {
    expect(isSecretVariable('DB_PASSWORD', 'x')).toBe(true);
    expect(isSecretVariable('GITHUB_TOKEN', 'x')).toBe(true);
    expect(isSecretVariable('STRIPE_API_KEY', 'x')).toBe(true);
    expect(isSecretVariable('SOME_ID', 'AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(isSecretVariable('UPSTREAM', 'postgres://app:s3cr3t-pass@db/x')).toBe(true);
    expect(isSecretVariable('LOG_LEVEL', 'debug')).toBe(false);
    expect(isSecretVariable('HOSTILE_MODE', 'flood')).toBe(false);
    registerSecretsFromEnvironment({ DB_PASSWORD: 'correct-horse-battery', LOG_LEVEL: 'debug-everything', SHORT_SECRET: 'abc' });
    expect(knownSecrets({}).map((s) => s.value)).toEqual(['correct-horse-battery']);
    expect(scrub('LOG_LEVEL=debug-everything pw correct-horse-battery abc')).toBe('LOG_LEVEL=debug-everything pw [REDACTED:secret] abc');
  });

  it("includes the host's AWS credential variables and SDK credentials", () => {
    registerCredentials({
      accessKeyId: 'LOCALSTACKKEYID1',
      secretAccessKey: 'sdk-secret-value-123',
      sessionToken: 'sdk-session-token-456',
    });
    const host = knownSecrets({ AWS_SECRET_ACCESS_KEY: 'host-secret-value', AWS_ACCESS_KEY_ID: 'x' });
    expect(host.map((s) => [s.value, s.kind])).toEqual([
      ['LOCALSTACKKEYID1', 'access-key-id'],
      ['sdk-secret-value-123', 'secret-access-key'],
      ['sdk-session-token-456', 'session-token'],
      ['host-secret-value', 'secret-access-key'],
    ]);
  });
});
