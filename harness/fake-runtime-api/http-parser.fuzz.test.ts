/**
 * Property-based tests of `RequestParser` against generated requests (which know their recording), hostile inputs
 * (which know their fault) and mutations (judged by the reference parser), each fed in random reads.
 * Size and seed: LAMBDASPEC_FUZZ_RUNS / LAMBDASPEC_FUZZ_SEED (see fuzz/fuzz-config.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  hostileCaseArb,
  intended,
  mutatedCaseArb,
  pipelineArb,
  serializePipeline,
  splitArb,
  splitBytes,
} from '../testing/fuzz/http-arbitraries.ts';
import { fuzzParameters, fuzzSeed, fuzzTotalRuns } from '../testing/fuzz/fuzz-config.ts';
import { expectSame, observeParser } from '../testing/fuzz/parser-harness.ts';
import { DEFAULT_PARSER_LIMITS, firstBadRequestLineByte, referenceParse } from '../testing/fuzz/reference-parser.ts';
import { loadRegressions } from '../testing/fuzz/regressions.ts';

console.log(`fuzz: seed ${fuzzSeed()}, ${fuzzTotalRuns()} inputs in all (LAMBDASPEC_FUZZ_SEED / LAMBDASPEC_FUZZ_RUNS)`);

// CPU time of this file's properties, printed for the record (never asserted: the machine is shared).
let cpuAtStart: NodeJS.CpuUsage;
beforeAll(() => {
  cpuAtStart = process.cpuUsage();
});
afterAll(() => {
  const used = process.cpuUsage(cpuAtStart);
  console.log(`fuzz: parser properties used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU`);
});

// Generous: 100k inputs on a shared two-core machine. Nothing here asserts a time.
const FUZZ_TIMEOUT = 600_000;

describe('RequestParser fuzz: valid requests', () => {
  it(
    'records every generated pipeline exactly as intended, however its bytes are split',
    () => {
      fc.assert(
        fc.property(pipelineArb(), splitArb, fc.boolean(), (pipeline, split, closed) => {
          const bytes = serializePipeline(pipeline);
          const want = { completed: pipeline.map(intended), pending: false };
          // The oracle must agree with the generator, or it is no oracle for the other properties.
          expectSame(referenceParse(bytes, closed), want, 'reference parser');
          expectSame(observeParser(splitBytes(bytes, split), closed, DEFAULT_PARSER_LIMITS), want, 'RequestParser');
        }),
        fuzzParameters('parserValid'),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('RequestParser fuzz: hostile inputs', () => {
  it(
    'rejects each hostile input with the fault RFC 9112 calls for, keeping the requests before it intact',
    () => {
      fc.assert(
        fc.property(hostileCaseArb, splitArb, (c, split) => {
          const oracle = referenceParse(c.bytes, c.closed, c.limits);
          expectSame(oracle.fault?.kind, c.expect, `reference parser on ${c.label}`);
          expectSame(oracle.completed.slice(0, c.before.length), c.before.map(intended), 'requests before the hostile part');
          expectSame(oracle.completed.length, c.before.length + (c.expect === undefined ? 1 : 0), 'requests completed');
          expectSame(observeParser(splitBytes(c.bytes, split), c.closed, c.limits), oracle, `RequestParser on ${c.label}`);
        }),
        fuzzParameters('parserHostile'),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('RequestParser fuzz: mutated requests', () => {
  it(
    'parses every mutation of a valid pipeline as the reference parser does, whatever the reads',
    () => {
      fc.assert(
        fc.property(mutatedCaseArb(), splitArb, (c, split) => {
          const oracle = referenceParse(c.bytes, c.closed, c.limits);
          expectSame(observeParser(splitBytes(c.bytes, split), c.closed, c.limits), oracle, 'RequestParser');
        }),
        fuzzParameters('parserMutated'),
      );
    },
    FUZZ_TIMEOUT,
  );

  it('finds the first impossible request-line byte the way the parser scans', () => {
    expect(firstBadRequestLineByte('GET / HTTP/1.1\r', true)).toBe(-1);
    expect(firstBadRequestLineByte('GET / HTTP/1.1', true)).toBe(-1);
    expect(firstBadRequestLineByte('GET / HTTP/1.', false)).toBe(-1);
    expect(firstBadRequestLineByte('GET / HTTP/1.', true)).toBe(13);
    expect(firstBadRequestLineByte('GET  /', false)).toBe(4);
    expect(firstBadRequestLineByte('\r', true)).toBe(-1);
    expect(firstBadRequestLineByte('\rG', false)).toBe(1);
    expect(firstBadRequestLineByte('{x', false)).toBe(0);
    expect(firstBadRequestLineByte('GET / HTTP/1.1\rX', false)).toBe(15);
  });
});

describe('RequestParser fuzz: regression fixtures', () => {
  for (const { file, regression, bytes, limits } of loadRegressions()) {
    it(`${file}: ${regression.note.split('.')[0]}`, () => {
      const oracle = referenceParse(bytes, regression.closed, limits);
      expect(oracle.fault?.kind).toBe(regression.expect.fault);
      expect(oracle.completed).toHaveLength(regression.expect.completed);
      const splits: number[][] = [[], [1], ...(regression.split ? [regression.split] : [])];
      for (let i = 1; i < Math.min(bytes.length, 4096); i++) splits.push([i, bytes.length]);
      for (const split of splits) {
        expect(observeParser(splitBytes(bytes, split), regression.closed, limits), `split ${JSON.stringify(split)}`).toEqual(oracle);
      }
    });
  }
});
