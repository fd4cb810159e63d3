import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../../environment/local-environment.ts';
import { testFunctionConfig } from '../../testing/test-config.ts';
import type { FunctionConfig, InvocationResult } from '../../model/invocation.ts';
import { requireAll } from '../../runtime-definition/build.ts';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { groupMembers, liveProcessCount } from '../../process/process-runner.ts';
import type { PreparedTarget } from '../common/target.ts';
import { bwrapExecFailure, fromBwrapExit } from './sandbox-launcher.ts';
import { bwrapArgs, locateBootstrap, translatePaths } from './sandbox-layout.ts';
import { checkSandboxBootstrap, sandboxTarget, sandboxUnavailable } from './sandbox-target.ts';

const FIXTURE = fileURLToPath(new URL('../../testing/fixtures/sandbox', import.meta.url));
const unavailable = await sandboxUnavailable();
if (unavailable && requireAll()) throw new Error(`sandbox target required (LAMBDASPEC_REQUIRE_ALL=1): ${unavailable}`);

describe('sandbox layout', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-layout-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("shows a bootstrap in the task root at /var/task, and falls back to a layer's /opt/bootstrap", () => {
    const task = join(scratch, 'task');
    const layer = join(scratch, 'layer');
    mkdirSync(task);
    mkdirSync(layer);
    expect(locateBootstrap(join(task, 'bin', 'run'), { taskRoot: task, layers: [] }).inside).toBe('/var/task/bin/run');
    writeFileSync(join(layer, 'bootstrap'), '#!/bin/sh\n');
    expect(locateBootstrap(join(task, 'bootstrap'), { taskRoot: task, layers: [layer] })).toEqual({
      host: join(layer, 'bootstrap'),
      inside: '/opt/bootstrap',
    });
    // A variant outside the task root is bound where Lambda would look.
    expect(locateBootstrap('/elsewhere/bootstrap', { taskRoot: task, layers: [] })).toEqual({
      host: '/elsewhere/bootstrap',
      inside: '/var/runtime/bootstrap',
      bind: '/elsewhere/bootstrap',
    });
  });

  it('rewrites only whole host paths of the task root', () => {
    const layout = { taskRoot: '/srv/rt' };
    expect(translatePaths('/srv/rt', layout)).toBe('/var/task');
    expect(translatePaths('/lib64:/srv/rt:/srv/rt/lib:/opt/lib', layout)).toBe('/lib64:/var/task:/var/task/lib:/opt/lib');
    expect(translatePaths('/srv/rt2/x', layout)).toBe('/srv/rt2/x');
  });

  it("builds a read-only root, /var/task, a writable /tmp, its own PID namespace and Lambda's uid", () => {
    const args = bwrapArgs(
      { taskRoot: '/srv/rt', layers: [], tmp: '/tmp/x' },
      { host: '/srv/rt/bootstrap', inside: '/var/task/bootstrap' },
    ).join(' ');
    expect(args).toContain('--ro-bind / /');
    expect(args).toContain('--ro-bind /srv/rt /var/task');
    expect(args).toContain('--bind /tmp/x /tmp');
    expect(args).toContain('--unshare-pid');
    expect(args).toContain('--die-with-parent');
    expect(args).toContain('--uid 993 --gid 990');
    expect(args).not.toContain('--unshare-net');
    expect(args).not.toContain('--new-session');
  });

  it("turns bwrap's 128+N exit status back into the signal the runtime died of", () => {
    expect(fromBwrapExit({ code: 137, signal: null, at: 1 })).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(fromBwrapExit({ code: 139, signal: null, at: 1 })).toMatchObject({ signal: 'SIGSEGV' });
    expect(fromBwrapExit({ code: 3, signal: null, at: 1 })).toMatchObject({ code: 3, signal: null });
    expect(fromBwrapExit({ code: 131, signal: null, at: 1 })).toMatchObject({ code: 131, signal: null });
  });

  it("reads bwrap's exec failure as Go's fork/exec wording", () => {
    expect(bwrapExecFailure(['hello', 'bwrap: execvp /var/task/bootstrap: No such file or directory'])).toBe(
      'fork/exec /var/task/bootstrap: no such file or directory',
    );
    expect(bwrapExecFailure(['bwrap: something else'])).toBeUndefined();
  });

  it('words bootstrap problems with the path the runtime sees', () => {
    const config = testFunctionConfig({ taskRoot: scratch, bootstrap: join(scratch, 'bootstrap') });
    const missing = checkSandboxBootstrap(config, [], { architecture: config.architecture });
    expect(missing?.message).toBe("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
    writeFileSync(join(scratch, 'bootstrap'), '#!/bin/sh\r\necho\r\n', { mode: 0o755 });
    expect(checkSandboxBootstrap(config, [], { architecture: config.architecture })?.message).toBe(
      'fork/exec /var/task/bootstrap: no such file or directory',
    );
    writeFileSync(join(scratch, 'bootstrap'), 'echo "no shebang: Lambda does not run it through a shell"\n', { mode: 0o755 });
    expect(checkSandboxBootstrap(config, [], { architecture: config.architecture })).toMatchObject({
      kind: 'no-shebang',
      errorType: 'Runtime.InvalidEntrypoint',
      message: 'fork/exec /var/task/bootstrap: exec format error',
    });
  });
});

describe.skipIf(unavailable !== undefined)(`sandbox target${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  const runtime: ResolvedRuntime = {
    spec: {
      name: 'sandbox-fixture',
      language: 'python',
      handler: 'x',
      bootstrap: 'bootstrap',
      architecture: testFunctionConfig().architecture,
      capabilities: {},
    },
    dir: FIXTURE,
    bootstrap: join(FIXTURE, 'bootstrap'),
  };
  let prepared: PreparedTarget | undefined;
  const envs: LocalEnvironment[] = [];
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close();
    expect(liveProcessCount()).toBe(0);
  });
  afterAll(() => prepared?.close());

  async function env(over: Partial<FunctionConfig> = {}): Promise<LocalEnvironment> {
    prepared ??= await sandboxTarget.prepare(runtime, {});
    const e = await LocalEnvironment.create(testFunctionConfig({ taskRoot: FIXTURE, bootstrap: runtime.bootstrap, ...over }), {
      hostPath: process.env['PATH'] ?? '',
      ...prepared.environment,
    });
    envs.push(e);
    return e;
  }
  const sh = async (e: LocalEnvironment, command: string): Promise<{ out: string; code: number }> => {
    const r = await e.invoke({ payload: Buffer.from(JSON.stringify({ sh: command })) });
    expect(r.outcome.kind, r.payload.toString()).toBe('response');
    return JSON.parse(r.payload.toString()) as { out: string; code: number };
  };

  it("runs the bootstrap as uid 993 in its own PID namespace, at /var/task, with only Lambda's variables", async () => {
    const e = await env({ environment: { EXTRA: 'yes' } });
    const seen = await sh(e, 'id -u; id -g; pwd; echo $LAMBDA_TASK_ROOT; echo $PPID; env | grep -c "^HOME=\\|^USER=" ; echo $EXTRA');
    const [uid, gid, pwd, taskRoot, ppid, hostVars, extra] = seen.out.split('\n');
    expect({ uid, gid, pwd, taskRoot, ppid, hostVars, extra }).toEqual({
      uid: '993',
      gid: '990',
      pwd: '/var/task',
      taskRoot: '/var/task',
      ppid: '2',
      hostVars: '0',
      extra: 'yes',
    });
  });

  it('keeps /var/task and the root read-only, /tmp writable', async () => {
    const e = await env();
    expect((await sh(e, 'touch /var/task/x')).code).not.toBe(0);
    expect((await sh(e, 'touch /usr/x')).code).not.toBe(0);
    expect(await sh(e, 'echo hi > /tmp/x && cat /tmp/x')).toEqual({ out: 'hi', code: 0 });
  });

  it('keeps /tmp across a re-init of the same environment, and gives a new environment a fresh one', async () => {
    const first = await env({ timeoutMs: 1000 });
    await sh(first, 'echo kept > /tmp/marker');
    const timedOut = await first.invoke({ payload: Buffer.from(JSON.stringify({ sh: 'sleep 5' })) });
    expect(timedOut.outcome).toMatchObject({ kind: 'platform-error', error: { errorType: 'Sandbox.Timedout' } });
    const after = await sh(first, 'cat /tmp/marker');
    expect(after.out).toBe('kept');
    expect(first.processes().length).toBe(2);
    const second = await env();
    expect((await sh(second, 'cat /tmp/marker')).code).not.toBe(0);
  });

  it("removes the environment's /tmp when it closes", async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('lambdaspec-sandbox-tmp-')));
    const e = await env();
    await sh(e, 'true');
    const mine = readdirSync(tmpdir()).filter((n) => n.startsWith('lambdaspec-sandbox-tmp-') && !before.has(n));
    expect(mine.length).toBe(1);
    await e.close();
    expect(existsSync(join(tmpdir(), mine[0]!))).toBe(false);
  });

  it('kills a runtime over its memory size and reports Runtime.OutOfMemory, as Lambda does', async () => {
    const e = await env({ memorySizeMb: 128 });
    const r: InvocationResult = await e.invoke({ payload: Buffer.from(JSON.stringify({ alloc_mb: 300, ms: 2000 })) });
    expect(r.outcome).toMatchObject({
      kind: 'platform-error',
      error: { errorType: 'Runtime.OutOfMemory', errorMessage: expect.stringMatching(/Runtime exited with error: signal: killed$/) },
    });
    expect(r.report.errorType).toBe('Runtime.OutOfMemory');
    expect(e.processes()[0]?.exit?.signal).toBe('SIGKILL');
    // Within the limit, the same allocation is fine and shows in Max Memory Used.
    const big = await env({ memorySizeMb: 512 });
    const ok = await big.invoke({ payload: Buffer.from(JSON.stringify({ alloc_mb: 100, ms: 100 })) });
    expect(JSON.parse(ok.payload.toString())).toEqual({ held: 100 });
    expect(ok.report.maxMemoryUsedMb).toBeGreaterThanOrEqual(100);
  });

  it('merges layers read-only into /opt and starts /opt/bootstrap when the task root has none', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lambdaspec-layers-'));
    try {
      for (const d of ['task', 'layer1', 'layer2/lib']) mkdirSync(join(root, d), { recursive: true });
      copyFileSync(join(FIXTURE, 'bootstrap'), join(root, 'layer1', 'bootstrap'));
      writeFileSync(join(root, 'layer2', 'lib', 'x.txt'), 'from layer 2');
      const layered: ResolvedRuntime = {
        ...runtime,
        spec: { ...runtime.spec, layers: ['../layer1', '../layer2'] },
        dir: join(root, 'task'),
        bootstrap: join(root, 'task', 'bootstrap'),
      };
      const target = await sandboxTarget.prepare(layered, {});
      const e = await LocalEnvironment.create(testFunctionConfig({ taskRoot: layered.dir, bootstrap: layered.bootstrap }), {
        ...target.environment,
      });
      envs.push(e);
      expect(await sh(e, 'cat /opt/lib/x.txt; echo; ls /opt; ps -o args= -p 2')).toEqual({
        out: 'from layer 2\nbootstrap\nlib\n/usr/bin/python3 /opt/bootstrap',
        code: 0,
      });
      expect((await sh(e, 'touch /opt/y')).code).not.toBe(0);
      await e.close();
      await target.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports an interpreter the host has but the sandbox hides as Lambda reports a failed exec', async () => {
    // /var is Lambda's inside the sandbox: an interpreter under the host's /var passes the host-side check, then
    // exec fails in the sandbox.
    const hostOnly = mkdtempSync('/var/tmp/lambdaspec-interp-');
    const task = mkdtempSync(join(tmpdir(), 'lambdaspec-task-'));
    try {
      copyFileSync('/bin/sh', join(hostOnly, 'sh'));
      chmodSync(join(hostOnly, 'sh'), 0o755);
      writeFileSync(join(task, 'bootstrap'), `#!${hostOnly}/sh\nexit 0\n`, { mode: 0o755 });
      prepared ??= await sandboxTarget.prepare(runtime, {});
      const e = await LocalEnvironment.create(testFunctionConfig({ taskRoot: task, bootstrap: join(task, 'bootstrap') }), {
        ...prepared.environment,
      });
      envs.push(e);
      const r = await e.invoke({ payload: Buffer.from('{}') });
      expect(r.outcome).toMatchObject({
        kind: 'platform-error',
        error: {
          errorType: 'Runtime.InvalidEntrypoint',
          errorMessage: expect.stringMatching(/Error: fork\/exec \/var\/task\/bootstrap: no such file or directory$/),
        },
      });
      await e.close();
    } finally {
      rmSync(hostOnly, { recursive: true, force: true });
      rmSync(task, { recursive: true, force: true });
    }
  });

  it('kills the whole sandbox, forked children included, when the environment closes', async () => {
    const e = await env();
    await sh(e, '(sleep 60 >/dev/null 2>&1 &) ; true');
    const pid = e.currentPid!;
    expect(groupMembers(pid).length).toBeGreaterThan(2);
    await e.close();
    // Dead members may linger as zombies until the host's init reaps them: none may still be running.
    const running = groupMembers(pid).filter((m) => {
      try {
        return !/^State:\s+Z/m.test(readFileSync(`/proc/${m}/status`, 'latin1'));
      } catch {
        return false;
      }
    });
    expect(running).toEqual([]);
  });
});
