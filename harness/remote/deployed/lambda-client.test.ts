import { describe, expect, it } from 'vitest';
import { loadSuites, DEFAULT_SUITE_DIR } from '../../scenarios/suite-loader.ts';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { scrub } from '../../secrets/scrub.ts';
import { classifyAwsError, registerSdkCredentials } from './lambda-client.ts';
import { deployedSkipReason } from './observability.ts';

const ctx = { what: 'invoking fn', functionName: 'fn', region: 'eu-west-1' };

describe('AWS errors as one sentence', () => {
  it('names the failure a user can act on', () => {
    expect(
      classifyAwsError({ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, ctx)?.message,
    ).toMatch(/no usable AWS credentials/);
    expect(classifyAwsError({ name: 'ExpiredTokenException', message: 'expired' }, ctx)?.message).toMatch(
      /Lambda in eu-west-1 refused the credentials/,
    );
    expect(classifyAwsError({ name: 'ResourceNotFoundException', message: 'Function not found' }, ctx)?.message).toMatch(
      /function fn not found/,
    );
    expect(classifyAwsError({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429, attempts: 3 } }, ctx)?.message).toMatch(
      /throttled .* after 3 attempts/,
    );
    expect(classifyAwsError(Object.assign(new Error('fetch failed'), { cause: { code: 'ENOTFOUND' } }), ctx)?.message).toMatch(
      /cannot reach Lambda in eu-west-1 \(ENOTFOUND\)/,
    );
    expect(classifyAwsError({ name: 'AccessDeniedException', message: 'no' }, ctx)?.message).toMatch(/lambda:InvokeFunction/);
  });

  it('leaves per-call refusals to the case', () => {
    expect(classifyAwsError({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } }, ctx)).toBeUndefined();
  });
});

describe('what a deployed function lets the suite observe', () => {
  const { cases } = loadSuites([DEFAULT_SUITE_DIR]);
  const byId = new Map(cases.map((c) => [c.id, c]));
  it('skips wire, process, fault and configuration cases with the reason, runs result-level ones', () => {
    const reasons = cases.map((c) => ({ id: c.id, why: deployedSkipReason(c) }));
    expect(reasons.filter((r) => r.why === undefined).length).toBeGreaterThan(5);
    for (const r of reasons) if (r.why) expect(r.why).toMatch(/^not observable on a deployed function: /);
    for (const c of cases) {
      const why = deployedSkipReason(c);
      if (c.steps.some((s) => s.expect.wire)) expect(why).toBeDefined();
      if (c.steps.some((s) => s.kind === 'invoke' && s.faults)) expect(why).toBeDefined();
      if (c.function.bootstrap) expect(why).toBeDefined();
    }
    expect(byId.has('response.zero-bytes') && deployedSkipReason(byId.get('response.zero-bytes')!)).toBe(undefined);
  });
});

describe('SDK credentials of a deployed run', () => {
  it('are learnt before the run, so every report and terminal line redacts them by value', async () => {
    const credentials = {
      accessKeyId: 'sdk-key-id-from-profile',
      secretAccessKey: 'sdk-Value-of-secret-2b7',
      sessionToken: 'sdk-Session-value-91c',
    };
    const client = new LambdaClient({ region: 'eu-west-1', credentials });
    await registerSdkCredentials(client);
    client.destroy();
    const text = `printed ${credentials.accessKeyId} ${credentials.secretAccessKey} ${Buffer.from(credentials.sessionToken).toString('base64')}`;
    expect(scrub(text)).toBe('printed [REDACTED:access-key-id] [REDACTED:secret-access-key] [REDACTED:session-token:base64]');
  });

  it('a chain that fails is left to the first call to report', async () => {
    const client = new LambdaClient({ region: 'eu-west-1', credentials: () => Promise.reject(new Error('no credentials')) });
    await expect(registerSdkCredentials(client)).resolves.toBeUndefined();
    client.destroy();
  });
});
