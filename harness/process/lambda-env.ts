/** The environment variables Lambda gives a custom runtime (reference §5.1), and nothing from the host. */
import { randomBytes } from 'node:crypto';
import type { FunctionConfig } from '../model/invocation.ts';

export function logStreamName(version: string, now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${d}/[${version}]${randomBytes(16).toString('hex')}`;
}

export function lambdaEnvironment(config: FunctionConfig, runtimeApi: string, options: { hostPath?: string } = {}): Record<string, string> {
  const runtimeDir = '/var/runtime';
  const lambdaPath = '/usr/local/bin:/usr/bin/:/bin:/opt/bin';
  const env: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: config.handler,
    LAMBDA_TASK_ROOT: config.taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: config.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(config.version),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    // Local runs still need the host's interpreters (pyenv, nvm …), after Lambda's own entries.
    PATH: options.hostPath ? `${lambdaPath}:${options.hostPath}` : lambdaPath,
    LD_LIBRARY_PATH: `/var/lang/lib:/lib64:/usr/lib64:${runtimeDir}:${runtimeDir}/lib:${config.taskRoot}:${config.taskRoot}/lib:/opt/lib`,
  };
  // Reserved variables cannot be overridden by function configuration (as in Lambda); TZ, LANG, PATH and
  // LD_LIBRARY_PATH can.
  const unreserved = new Set(['TZ', 'LANG', 'PATH', 'LD_LIBRARY_PATH']);
  const result: Record<string, string> = { ...env };
  for (const [k, v] of Object.entries(config.environment)) {
    if (unreserved.has(k) || !(k in env)) result[k] = v;
  }
  return result;
}
