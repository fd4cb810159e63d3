/**
 * Issue 14 items 4–7 at the command line: output paths checked before any work, one line for bad input, flag
 * values within Lambda's ranges, the same exit status for SIGINT and SIGTERM, and no raw control character on
 * the terminal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { liveProcessCount } from '../process/process-runner.ts';
import { cli } from '../testing/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-hardening-'));
const file = join(dir, 'a-file');
writeFileSync(file, 'x');
const folder = join(dir, 'a-folder');
mkdirSync(folder);
const CONTROL_RUNTIME = fileURLToPath(new URL('../testing/fixtures/control-chars', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

describe('output paths are checked before the first case', () => {
  it.each([
    [['run', 'python-stdlib', '--report-dir', file], `--report-dir ${file}: is a file, not a folder`],
    [['run', 'python-stdlib', '--report-dir', join(file, 'sub')], `--report-dir ${join(file, 'sub')}: is below a file (${file})`],
    [['run', 'python-stdlib', '--junit', folder], `--junit ${folder}: is a folder, not a file`],
    [['run', 'python-stdlib', '--report-dir', '/proc/rep'], '--report-dir /proc/rep: is in /proc, a kernel file system'],
    [['snapshot', 'python-stdlib', '--out', folder], `--out ${folder}: is a folder, not a file`],
    [['matrix', '--out', file], `--out ${file}: is a file, not a folder`],
    [['invoke', CONTROL_RUNTIME, '--record', '/proc/x.json'], '--record /proc/x.json: is in /proc, a kernel file system'],
    [['bench', 'python-stdlib', '--report-dir', join(file, 'x', 'y')], `--report-dir ${join(file, 'x', 'y')}: is below a file (${file})`],
    [['bench-harness', '--out', folder], `--out ${folder}: is a folder, not a file`],
    [
      ['load', CONTROL_RUNTIME, '--concurrency', '1', '--requests', '1', '--out', '/sys/x.json'],
      '--out /sys/x.json: is in /sys, a kernel file system',
    ],
    [['soak', CONTROL_RUNTIME, '--duration', '1s', '--report-dir', file], `--report-dir ${file}: is a file, not a folder`],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    // One line, and nothing ran before it (no case verdicts, no build or bench progress).
    expect(r.err).toBe(`lambdaspec: ${message}\n`);
  });

  it('leaves the folder creation of a kernel file system to an error, not an endless loop', async () => {
    const { ensureFolder } = await import('../lib/output-path.ts');
    expect(() => ensureFolder('/proc/rep/deeper')).toThrow(/kernel file system/);
  });

  it('leaves no temp file behind when a write fails', async () => {
    const { writeFileAtomic } = await import('../lib/atomic-write.ts');
    const target = join(dir, 'occupied');
    mkdirSync(join(target, 'child'), { recursive: true });
    expect(() => writeFileAtomic(target, 'data')).toThrow(`cannot write ${target}: `);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('one line, never a stack trace', () => {
  it.each([
    [['invoke', CONTROL_RUNTIME, '--event', folder], `--event ${folder}: is a folder, not a file`],
    [['serve', CONTROL_RUNTIME, '--port', '99999'], '--port: 99999 is outside 0–65535'],
    [['serve', CONTROL_RUNTIME, '--port', '-1'], "serve: Option '--port' argument is ambiguous."],
    [['invoke', CONTROL_RUNTIME, '--timeout', '0s'], "--timeout: 0s is outside Lambda's 1s–900s"],
    [['invoke', CONTROL_RUNTIME, '--timeout', '1000s'], "--timeout: 1000s is outside Lambda's 1s–900s"],
    [['invoke', CONTROL_RUNTIME, '--timeout', '99999h'], /^--timeout: "99999h" is longer than Node's timers allow/],
    [['serve', CONTROL_RUNTIME, '--memory', '64'], '--memory: 64 is outside 128–10240 MB'],
    [['invoke', CONTROL_RUNTIME, '--memory', '10241'], '--memory: 10241 is outside 128–10240 MB'],
    [['run', 'python-stdlib', '--jobs', '99999999999'], '--jobs: "99999999999" is more than 1000000000'],
    [['bench-harness', 'extra'], `bench-harness takes no argument, got "extra" (see 'lambdaspec bench-harness --help')`],
    [['invoke'], "invoke: expected exactly one <runtime>, got 0 (see 'lambdaspec invoke --help')"],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2);
    if (typeof message === 'string') expect(r.err).toBe(`lambdaspec: ${message}\n`);
    else expect(r.err.replace(/^lambdaspec: /, '')).toMatch(message);
  });
});

describe('the terminal never gets a raw control character', () => {
  it('escapes what a runtime prints in the log tail of invoke', async () => {
    const r = await cli(['invoke', CONTROL_RUNTIME]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('title\\u001b]0;pwned\\u0007 clear\\u001b[2J nul\\u0000 cr\\u000doverwritten csi\\u009b31m');
    expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

/** Start the CLI, wait until `ready` holds (bounded: 30 s), send `signal`, and return its exit code. */
async function exitOnSignal(args: string[], ready: (output: string) => boolean, signal: NodeJS.Signals): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !ready(output) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill(signal);
  return exited;
}

/** The control-chars runtime, taking an event and never answering; `ready` once it holds one. */
function hangingRuntime(name: string): { flags: string[]; ready: () => boolean } {
  const readyFile = join(dir, `${name}.ready`);
  return { flags: ['--env', 'HANG=1', '--env', `READY_FILE=${readyFile}`, '--timeout', '60s'], ready: () => existsSync(readyFile) };
}

describe('SIGTERM ends a command as SIGINT does: exit 130', () => {
  it('serve', async () => {
    expect(await exitOnSignal(['serve', CONTROL_RUNTIME, '--port', '0'], (o) => o.includes('Ctrl-C to stop'), 'SIGTERM')).toBe(130);
  });

  it('invoke, stopping the runtime', async () => {
    const hang = hangingRuntime('invoke');
    expect(await exitOnSignal(['invoke', CONTROL_RUNTIME, ...hang.flags], hang.ready, 'SIGTERM')).toBe(130);
  });

  it('load, whose report stopped early', async () => {
    const hang = hangingRuntime('load');
    const out = join(dir, 'load.json');
    expect(
      await exitOnSignal(
        ['load', CONTROL_RUNTIME, '--concurrency', '1', '--duration', '60s', '--out', out, ...hang.flags],
        hang.ready,
        'SIGTERM',
      ),
    ).toBe(130);
  });
});
