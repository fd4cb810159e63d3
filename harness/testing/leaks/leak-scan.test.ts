import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeLeaks, hasLeaks, RUN_ID_ENV, scanForLeaks } from './leak-scan.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A child of a pretend run `runId` that makes a lambdaspec-* folder in `tmp`, listens on a port, and stays. */
async function leakyChild(runId: string, tmp: string, envVar = RUN_ID_ENV): Promise<{ child: ChildProcess; port: number }> {
  const script = `
    const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
    fs.mkdtempSync(path.join(os.tmpdir(), 'lambdaspec-leak-'));
    const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { PATH: process.env['PATH'] ?? '', TMPDIR: tmp, [envVar]: runId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('leaky child exited')));
  });
  return { child, port };
}

describe('scanForLeaks', () => {
  it('finds a process of the run, the socket it listens on and the temp folder it left; nothing once they are gone', async () => {
    const runId = `leak-test-${process.pid}`;
    const tmp = mkdtempSync(join(tmpdir(), 'leakscan-'));
    dirs.push(tmp);
    const { child, port } = await leakyChild(runId, tmp);
    const report = scanForLeaks({ runId, tmpDir: tmp, docker: false });
    expect(report.processes).toEqual([{ pid: child.pid, command: expect.stringContaining(process.execPath), listening: [port] }]);
    expect(report.tempDirs).toEqual([expect.stringMatching(new RegExp(`^${tmp}/lambdaspec-leak-`))]);
    expect(hasLeaks(report)).toBe(true);
    expect(describeLeaks(report)[0]).toBe(`process ${child.pid} still running: ${report.processes[0]!.command} (listening on ${port})`);

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(report.tempDirs[0]!, { recursive: true });
    expect(hasLeaks(scanForLeaks({ runId, tmpDir: tmp, docker: false }))).toBe(false);
  });

  it('finds runtimes by the _LAMBDASPEC_RUN_ID the launcher gives them, and ignores other runs', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'leakscan-'));
    dirs.push(tmp);
    const { child } = await leakyChild(`mine-${process.pid}`, tmp, '_LAMBDASPEC_RUN_ID');
    expect(scanForLeaks({ runId: `mine-${process.pid}`, tmpDir: '/nonexistent', docker: false }).processes.map((p) => p.pid)).toEqual([
      child.pid,
    ]);
    expect(scanForLeaks({ runId: `other-${process.pid}`, tmpDir: '/nonexistent', docker: false }).processes).toEqual([]);
  });

  it('says why containers were not checked when Docker is missing or not running', () => {
    const report = scanForLeaks({ runId: 'x', tmpDir: '/nonexistent' });
    expect(report.docker === 'checked' || report.docker.startsWith('not checked: ')).toBe(true);
  });
});
