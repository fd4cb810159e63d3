import { describe, expect, it } from 'vitest';
import { summarise, type EmulatorBenchReport, type EmulatorName, type EmulatorTurn } from './emulator-bench.ts';
import { emulatorsHtml } from '../reports/html/emulators-html.ts';
import { emulatorsMarkdown } from './harness-markdown.ts';

function turn(emulator: EmulatorName, round: number, perSecond: number, over: Partial<EmulatorTurn> = {}): EmulatorTurn {
  return {
    runtime: 'go',
    emulator,
    round,
    coldStartMs: 100,
    warm: { invocations: 600, ms: (600 / perSecond) * 1000, p50Ms: 1, p99Ms: 5, errors: 0 },
    perSecond,
    cpuMsPerInvocation: 0.3,
    rssKiB: 10240,
    concurrent: null,
    ...over,
  };
}

describe('the emulator comparison', () => {
  const crashed = {
    invocations: 0,
    ms: 50,
    p50Ms: null,
    p99Ms: null,
    errors: 4,
    firstError: 'ECONNRESET: read ECONNRESET',
    aliveAfter: false,
  };
  const turns = [
    turn('rie', 1, 600, { concurrent: crashed }),
    turn('serve-record-off', 1, 800, { cpuMsPerInvocation: 0.6 }),
    turn('serve-record-on', 1, 500),
    turn('rie', 2, 700),
    turn('serve-record-off', 2, 900, { cpuMsPerInvocation: 0.6 }),
    turn('serve-record-on', 2, 550),
  ];

  it('takes medians over the rounds and states each as a ratio to RIE on the same runtime', () => {
    const s = summarise(turns);
    const off = s.find((x) => x.emulator === 'serve-record-off')!;
    // Nearest-rank median of two rounds is the lower one.
    expect(off.perSecond).toBe(800);
    expect(off.vsRie).toEqual({ perSecond: 1.333, cpuMsPerInvocation: 2, coldStartMs: 1, rssMiB: 1 });
    expect(s.find((x) => x.emulator === 'rie')!.vsRie).toBeNull();
  });

  it('reports RIE falling over under concurrent clients instead of hiding it', () => {
    const rie = summarise(turns).find((x) => x.emulator === 'rie')!;
    expect(rie.concurrentErrors).toBe(4);
    expect(rie.concurrentNotes).toEqual(['4 of 4 failed (ECONNRESET: read ECONNRESET)', 'the emulator process had exited after the burst']);
    const report: EmulatorBenchReport = {
      format: 'lambdaspec.bench.emulators/v1',
      date: '2026-12-08T00:00:00.000Z',
      machine: { cpus: 2, cpuModel: 'test', node: 'v20', platform: 'linux-x64', loadAverage: [1, 1, 1] },
      rie: { path: '/bin/rie', version: 'v0' },
      method: 'm',
      rounds: 2,
      warmInvocations: 600,
      turns,
      summary: summarise(turns),
      targets: { serveOffVsRie: 1.2, serveOnVsRie: 1 },
      meetsTargets: { go: { recordingOff: true, recordingOn: false } },
    };
    const md = emulatorsMarkdown(report);
    expect(md).toContain(
      '| go | RIE | 600 | 1.000 | 5.000 | 0.300 | 100 | 10.0 | 4 of 4 failed (ECONNRESET: read ECONNRESET); the emulator process had exited after the burst |',
    );
    expect(md).toContain('go: off met, on NOT met');
    expect(emulatorsHtml(report)).toContain('the emulator process had exited after the burst');
  });
});
