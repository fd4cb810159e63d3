import { afterEach, describe, expect, it } from 'vitest';
import { refreshGroups, watchedGroupCount, watchGroup } from './group-watch.ts';
import { killAllProcesses, launchProcess, liveProcessCount } from './process-runner.ts';

const clock = () => performance.now();
const sh = (script: string) => launchProcess({ command: '/bin/sh', args: ['-c', script], cwd: '/', env: { PATH: '/usr/bin:/bin' }, clock });

async function firstLine(p: ReturnType<typeof sh>): Promise<string> {
  for (let i = 0; i < 500 && p.output.lines().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return p.output.lines()[0]!.text;
}

afterEach(async () => {
  await killAllProcesses();
  expect(liveProcessCount()).toBe(0);
  expect(watchedGroupCount()).toBe(0);
});

describe('watchGroup', () => {
  it('finds a forked child at the next refresh, and leaves out processes of other groups', async () => {
    const p = sh('sleep 300 & echo $!; wait');
    const other = sh('sleep 300');
    const child = Number(await firstLine(p));
    const watch = watchGroup(p.pid!);
    expect(watch.members()).toEqual([p.pid]);
    refreshGroups();
    expect(watch.members()).toContain(child);
    expect(watch.members()).toContain(p.pid);
    expect(watch.members()).not.toContain(other.pid);
    watch.stop();
    watch.stop();
  });

  it("counts a forked child's peak memory in the launch's peak", async () => {
    // The child allocates and touches 64 MiB; the shell itself is a few MiB.
    const p = sh(`python3 -c "x = b'a' * (64 << 20); print('ready', flush=True); import time; time.sleep(300)" & wait`);
    expect(await firstLine(p)).toBe('ready');
    refreshGroups();
    p.sampleMemory();
    expect(p.peakRssKiB()).toBeGreaterThan(64 * 1024);
    await p.kill();
  });

  it('stops watching a launch once it exited', async () => {
    const p = sh('exit 0');
    expect(watchedGroupCount()).toBeGreaterThan(0);
    await p.exited;
    expect(watchedGroupCount()).toBe(0);
  });
});
