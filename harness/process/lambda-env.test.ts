import { describe, expect, it } from 'vitest';
import { testFunctionConfig } from '../testing/test-config.ts';
import type { FunctionConfig } from '../model/invocation.ts';
import { lambdaEnvironment } from './lambda-env.ts';

const config: FunctionConfig = testFunctionConfig({
  functionName: 'fn',
  region: 'eu-west-1',
  memorySizeMb: 512,
  environment: { USER_VAR: 'u', TZ: 'Europe/Paris', AWS_LAMBDA_RUNTIME_API: 'evil:1' },
});

describe('lambdaEnvironment', () => {
  it("sets Lambda's variables for a custom runtime and nothing from the host", () => {
    process.env['AWS_SECRET_ACCESS_KEY'] = 'host-secret';
    const env = lambdaEnvironment(config, '127.0.0.1:9001');
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    expect(env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      _HANDLER: 'probe.handler',
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      LANG: 'en_US.UTF-8',
      PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      USER_VAR: 'u',
    });
    expect(env['AWS_LAMBDA_LOG_STREAM_NAME']).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env['LD_LIBRARY_PATH']).toContain('/var/task/lib');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(env).not.toHaveProperty('_X_AMZN_TRACE_ID');
    expect(env).not.toHaveProperty('AWS_EXECUTION_ENV');
  });

  it('lets configuration set TZ but not reserved variables', () => {
    const env = lambdaEnvironment(config, '127.0.0.1:9001');
    expect(env['TZ']).toBe('Europe/Paris');
    expect(env['AWS_LAMBDA_RUNTIME_API']).toBe('127.0.0.1:9001');
  });

  it("appends the host PATH after Lambda's entries when asked", () => {
    expect(lambdaEnvironment(config, 'x:1', { hostPath: '/host/bin' })['PATH']).toBe('/usr/local/bin:/usr/bin/:/bin:/opt/bin:/host/bin');
  });
});
