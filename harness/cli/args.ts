/** CLI flag parsing on node:util's parseArgs (strict: unknown flags are errors), turned into UserErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FunctionOverrides } from '../runtime-definition/resolve-runtime.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { UserError } from '../lib/user-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What parseFlags returns, named so the emitted declarations can spell it (node:util does not export it). */
export type ParsedFlags<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

export function parseFlags<O extends Options>(command: string, argv: string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // One line: Node's parser adds advice on further lines ("To specify an option argument starting with a dash…").
    throw new UserError(`${command}: ${message.replace(/^TypeError \[[A-Z_]+\]: /, '').split('\n')[0]}`);
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

/** Counts have a ceiling too: a billion jobs or requests is a typo, not a plan. */
export const MAX_COUNT = 1_000_000_000;

export function parsePositiveInt(flag: string, value: string | undefined, max = MAX_COUNT): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new UserError(`--${flag}: "${value}" is not a positive integer`);
  if (Number(value) > max) throw new UserError(`--${flag}: "${value}" is more than ${max}`);
  return Number(value);
}

/** An integer flag within [min, max] (e.g. Lambda's memory range); `unit` is named in the message. */
export function parseIntInRange(flag: string, value: string, min: number, max: number, unit = ''): number {
  const u = unit ? ` ${unit}` : '';
  if (!/^\d+$/.test(value.trim())) throw new UserError(`--${flag}: "${value}" is not a whole number${u ? ` of${u}` : ''}`);
  const n = Number(value.trim());
  if (n < min || n > max) throw new UserError(`--${flag}: ${value} is outside ${min}–${max}${u}`);
  return n;
}

/** A TCP port to listen on: 1–65535, or 0 for a free one. */
export function parsePort(flag: string, value: string): number {
  return parseIntInRange(flag, value, 0, 65_535);
}

/** Lambda's ranges for a function's configuration (timeout 1–900 s, memory 128–10,240 MB). */
export const LAMBDA_TIMEOUT_MS = { min: 1_000, max: 900_000 } as const;
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;

/** The function-configuration flags shared by invoke and serve. */
export const FUNCTION_FLAGS = {
  timeout: { type: 'string' },
  memory: { type: 'string' },
  handler: { type: 'string' },
  env: { type: 'string', multiple: true },
} as const;

export function functionOverrides(values: { timeout?: string; memory?: string; handler?: string; env?: string[] }): FunctionOverrides {
  return {
    ...(values.timeout !== undefined ? { timeoutMs: parseTimeout(values.timeout) } : {}),
    ...(values.memory !== undefined
      ? { memorySizeMb: parseIntInRange('memory', values.memory, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max, 'MB') }
      : {}),
    ...(values.handler !== undefined ? { handler: values.handler } : {}),
    environment: parseEnvPairs(values.env),
  };
}

function parseTimeout(value: string): number {
  const ms = parseDurationFlag('timeout', value);
  if (ms < LAMBDA_TIMEOUT_MS.min || ms > LAMBDA_TIMEOUT_MS.max) throw new UserError(`--timeout: ${value} is outside Lambda's 1s–900s`);
  return ms;
}
