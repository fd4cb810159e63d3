/** CLI flag parsing on node:util's parseArgs (strict: unknown flags are errors), turned into UserErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FunctionOverrides } from '../runtime-definition/resolve-runtime.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new UserError(`${command}: ${message.replace(/^TypeError \[[A-Z_]+\]: /, '')}`);
  }
}

/** `--env K=V` pairs (repeatable) as a map. */
export function parseEnvPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UserError(`--env: "${pair}" is not KEY=VALUE`);
    env[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return env;
}

/** An http(s) URL flag (`--url`, `--endpoint`) as a URL; anything else is a user error naming the flag. */
export function parseHttpUrl(flag: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`--${flag}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--${flag}: "${value}" is not an http(s) URL`);
  return url;
}

export function parsePositiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UserError(`--${flag}: "${value}" is not a positive integer`);
  return Number(value);
}

/** The function-configuration flags shared by invoke and serve. */
export const FUNCTION_FLAGS = {
  timeout: { type: 'string' },
  memory: { type: 'string' },
  handler: { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

export function functionOverrides(values: { timeout?: string; memory?: string; handler?: string; env?: string[] }): FunctionOverrides {
  return {
    ...(values.timeout !== undefined ? { timeoutMs: parseDurationFlag('timeout', values.timeout) } : {}),
    ...(values.memory !== undefined ? { memorySizeMb: parsePositiveInt('memory', values.memory)! } : {}),
    ...(values.handler !== undefined ? { handler: values.handler } : {}),
    environment: parseEnvPairs(values.env),
  };
}
