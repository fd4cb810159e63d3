import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PROCESS_MARK_VAR, RUN_ID_VAR } from './proc-scan.ts';
import { groupMembers, harnessRunId, killAllProcesses, launchProcess, liveProcessCount } from './process-runner.ts';

const clock = () => performance.now();

/** Running, as opposed to gone or a zombie waiting for init (PID 1 here may not reap orphans). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
const sh = (script: string) => launchProcess({ command: '/bin/sh', args: ['-c', script], cwd: '/', env: { PATH: '/usr/bin:/bin' }, clock });

afterEach(async () => {
  await killAllProcesses();
  expect(liveProcessCount()).toBe(0);
});

describe('launchProcess', () => {
  it('captures stdout and stderr lines and the exit status', async () => {
    const p = sh('echo out; echo err >&2; exit 3');
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 3, signal: null });
    expect(
      p.output
        .lines()
        .map((l) => `${l.stream}:${l.text}`)
        .sort(),
    ).toEqual(['stderr:err', 'stdout:out']);
  });

  it('passes exactly the environment given, plus the two harness markers', async () => {
    process.env['LAMBDASPEC_TEST_SECRET'] = 'must-not-leak';
    const p = launchProcess({ command: '/usr/bin/env', args: [], cwd: '/', env: { ONLY: 'this' }, clock });
    await p.exited;
    delete process.env['LAMBDASPEC_TEST_SECRET'];
    const lines = p.output
      .lines()
      .map((l) => l.text)
      .sort();
    expect(lines).toEqual([
      'ONLY=this',
      `${PROCESS_MARK_VAR}=${harnessRunId()}:${process.pid}:${lines[1]!.split(':').at(-1)}`,
      `${RUN_ID_VAR}=${harnessRunId()}`,
    ]);
  });

  it('kills a daemonised grandchild that left the process group (setsid + double fork)', async () => {
    // The grandchild runs in a new session, re-parented away from the bootstrap: only the marker finds it.
    const p = sh("setsid sh -c 'sleep 300 >/dev/null 2>&1 & echo $!' ; sleep 300");
    for (let i = 0; i < 200 && p.output.lines().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const daemon = Number(p.output.lines()[0]!.text);
    expect(running(daemon)).toBe(true);
    expect(groupMembers(p.pid!)).not.toContain(daemon);
    await p.kill();
    expect(running(daemon)).toBe(false);
  });

  it('escalates to SIGKILL when the runtime ignores SIGTERM', async () => {
    const p = launchProcess({
      command: '/bin/bash',
      args: ['-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      clock,
    });
    for (let i = 0; i < 200 && p.output.lines().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const exit = await p.kill('SIGTERM');
    expect(exit.signal).toBe('SIGKILL');
    expect(running(p.pid!)).toBe(false);
  });

  it('kills the whole process group, forked children included', async () => {
    const p = sh('sleep 300 & echo $!; wait');
    for (let i = 0; i < 100 && p.output.lines().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const child = Number(p.output.lines()[0]!.text);
    expect(groupMembers(p.pid!)).toContain(child);
    const exit = await p.kill();
    expect(exit.signal).toBe('SIGKILL');
    for (let i = 0; i < 100 && running(child); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running(child)).toBe(false);
  });

  it('reaps children that outlive a bootstrap which exits by itself', async () => {
    const p = sh('sleep 300 & echo $!');
    await p.exited;
    const child = Number(p.output.lines()[0]!.text);
    for (let i = 0; i < 100 && running(child); i++) await new Promise((r) => setTimeout(r, 10));
    expect(running(child)).toBe(false);
  });

  it('drains a flood without holding it all', async () => {
    const p = launchProcess({
      command: '/bin/sh',
      args: ['-c', 'head -c 30000000 /dev/zero | tr "\\0" "a" | fold -w 1000'],
      cwd: '/',
      env: { PATH: '/usr/bin:/bin' },
      clock,
      capture: { maxRetainedBytes: 1_000_000 },
    });
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    const s = p.output.stats();
    expect(s.lines).toBe(30_000);
    expect(s.droppedBytes).toBeGreaterThan(28_000_000);
  });

  it('measures the peak resident memory of a live process group', async () => {
    const p = sh('sleep 1');
    await new Promise((r) => setTimeout(r, 120));
    p.sampleMemory();
    expect(p.peakRssKiB()).toBeGreaterThan(0);
    await p.kill();
  });

  it('kills everything it started on request', async () => {
    sh('sleep 300');
    sh('sleep 300');
    expect(liveProcessCount()).toBe(2);
    await killAllProcesses();
    expect(liveProcessCount()).toBe(0);
  });
});
