/**
 * Fuzz regression fixtures: inputs that once broke the parser or server, kept as JSON (bytes in base64) under
 * `harness/testing/fixtures/fuzz-regressions/` and replayed by the fuzz tests on every run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParserLimits } from '../../fake-runtime-api/http-parser.ts';
import type { FramingFaultKind } from '../../model/recording.ts';
import { DEFAULT_PARSER_LIMITS } from './reference-parser.ts';

/** One fixture file. */
export interface FuzzRegression {
  /** What went wrong and how it was fixed. */
  note: string;
  /** The input bytes, base64. */
  base64: string;
  /** The peer closed after the last byte. */
  closed: boolean;
  /** Parser limits in force (defaults when absent). */
  limits?: Partial<ParserLimits>;
  /** Reads that exposed the bug (piece sizes used in turn, as `splitBytes` takes them); replay also tries others. */
  split?: number[];
  /** What RFC 9112 calls for: the fault kind (absent: none) and the number of requests completed before it. */
  expect: { fault?: FramingFaultKind; completed: number };
}

export const REGRESSIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fuzz-regressions');

export function loadRegressions(): { file: string; regression: FuzzRegression; bytes: Buffer; limits: ParserLimits }[] {
  return readdirSync(REGRESSIONS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const regression = JSON.parse(readFileSync(path.join(REGRESSIONS_DIR, file), 'utf8')) as FuzzRegression;
      return {
        file,
        regression,
        bytes: Buffer.from(regression.base64, 'base64'),
        limits: { ...DEFAULT_PARSER_LIMITS, ...regression.limits },
      };
    });
}
