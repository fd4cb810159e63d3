/**
 * Load profiles (`suites/load/*.yaml`, schema `suites/load-profile.schema.json`): named, reusable load shapes
 * that `lambdaspec load --profile <file>` reads, with problems reported as `<file>:<line>: …`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../lib/parse-duration.ts';
import { compileSchema, readYaml, SuiteError, validateYaml } from '../lib/yaml-validate.ts';
import type { LoadStage } from './load-model.ts';

export const LOAD_PROFILE_SCHEMA_PATH = fileURLToPath(new URL('../../suites/load-profile.schema.json', import.meta.url));
export const LOAD_PROFILE_DIR = fileURLToPath(new URL('../../suites/load', import.meta.url));

/** A load profile as written, durations in milliseconds. */
export interface LoadProfile {
  name: string;
  description?: string;
  concurrency: number;
  rate?: number;
  durationMs?: number;
  requests?: number;
  stages?: LoadStage[];
  /** Absent: the default echo event. */
  event?: unknown;
  /** The file it came from, as shown to the user. */
  file: string;
}

let validator: ReturnType<typeof compileSchema> | undefined;

interface RawProfile {
  name: string;
  description?: string;
  concurrency: number;
  rate?: number;
  duration?: number | string;
  requests?: number;
  stages?: Array<{ duration: number | string; target: number }>;
  event?: unknown;
}

/** Read and validate a profile; a broken one throws a SuiteError (exit 2) naming file and line. */
export function loadProfile(path: string): LoadProfile {
  validator ??= compileSchema(JSON.parse(readFileSync(LOAD_PROFILE_SCHEMA_PATH, 'utf8')) as object);
  const parsed = readYaml(path);
  validateYaml(parsed, validator);
  const raw = parsed.value as RawProfile;
  const ms = (value: number | string, at: ReadonlyArray<string | number>): number => {
    const v = parseDuration(value);
    if (v === undefined) throw new SuiteError(parsed.file, parsed.lineOf(at), `${at.join('.')} is not a duration`);
    return v;
  };
  return {
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    concurrency: raw.concurrency,
    ...(raw.rate !== undefined ? { rate: raw.rate } : {}),
    ...(raw.duration !== undefined ? { durationMs: ms(raw.duration, ['duration']) } : {}),
    ...(raw.requests !== undefined ? { requests: raw.requests } : {}),
    ...(raw.stages
      ? { stages: raw.stages.map((s, i) => ({ durationMs: ms(s.duration, ['stages', i, 'duration']), target: s.target })) }
      : {}),
    ...('event' in raw ? { event: raw.event } : {}),
    file: parsed.file,
  };
}
