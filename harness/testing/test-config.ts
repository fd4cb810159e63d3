/** A complete FunctionConfig for tests, Lambda's defaults unless overridden. */
import type { FunctionConfig } from '../model/invocation.ts';

export function testFunctionConfig(over: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    functionName: 'probe',
    version: '$LATEST',
    region: 'us-east-1',
    accountId: '123456789012',
    memorySizeMb: 128,
    timeoutMs: 3000,
    initTimeoutMs: 10_000,
    handler: 'probe.handler',
    taskRoot: '/var/task',
    bootstrap: '/var/task/bootstrap',
    bootstrapArgs: [],
    architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
    environment: {},
    ...over,
  };
}
