/**
 * The container target on a real Docker engine: Lambda's layout and /tmp semantics, a user's image run by its
 * ENTRYPOINT and CMD, the architecture check, and no container left behind — also when the CLI is interrupted.
 * Skipped without an engine, required under LAMBDASPEC_REQUIRE_ALL=1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostArchitecture } from '../../process/elf.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../cli/io.ts';
import { main } from '../../cli/main.ts';
import { LocalEnvironment } from '../../environment/local-environment.ts';
import { buildRuntime, requireAll } from '../../runtime-definition/build.ts';
import { functionConfigFor, REPO_ROOT, resolveRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../../scenarios/suite-loader.ts';
import { filterCases, runSuite } from '../../scenarios/suite-runner.ts';
import { liveContainerCount, OWNER_LABEL } from './container-launcher.ts';
import { checkBundledBootstrap, containerTarget, imageRuntime, imageTarget } from './container-target.ts';
import { dockerClient, dockerUnavailable, LAMBDASPEC_LABEL } from './docker.ts';
import { buildRuntimeImage } from './image-builder.ts';
import { compareVerdicts } from './parity.ts';

const why = await dockerUnavailable();
const skip = why !== undefined && !requireAll();
const FIXTURE = fileURLToPath(new URL('../../testing/fixtures/tmp-runtime', import.meta.url));
const scratch: string[] = [];

async function containersOwnedBy(pid: number): Promise<string[]> {
  const docker = (await dockerClient()).container.dockerode;
  const list = await docker.listContainers({ all: true, filters: { label: [`${LAMBDASPEC_LABEL}=1`, `${OWNER_LABEL}=${pid}`] } });
  return list.map((c) => c.Id);
}

afterAll(async () => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
  if (skip) return;
  expect(liveContainerCount()).toBe(0);
  expect(await containersOwnedBy(process.pid)).toEqual([]);
});

describe('bootstrap checks of a bundled image', () => {
  it('words problems with the path the container runs: a script without #! is fork/exec /var/task/bootstrap: exec format error', () => {
    const root = mkdtempSync(join(tmpdir(), 'lambdaspec-bundled-'));
    scratch.push(root);
    const bootstrap = join(root, 'bootstrap');
    writeFileSync(bootstrap, 'echo "no shebang"\n', { mode: 0o755 });
    expect(checkBundledBootstrap({ bootstrap }, root, { architecture: hostArchitecture() })).toMatchObject({
      kind: 'no-shebang',
      errorType: 'Runtime.InvalidEntrypoint',
      message: 'fork/exec /var/task/bootstrap: exec format error',
    });
    writeFileSync(bootstrap, '#!/bin/sh\necho ok\n', { mode: 0o755 });
    expect(checkBundledBootstrap({ bootstrap }, root, { architecture: hostArchitecture() })).toBeUndefined();
  });
});

describe.skipIf(skip)(`container target${why ? ` (skipped: ${why})` : ''}`, () => {
  it('has a Docker engine', () => {
    expect(why).toBeUndefined();
  });

  it('runs the runtime from /var/task and keeps /tmp across re-inits of one environment, not between environments', async () => {
    const rt = resolveRuntime(FIXTURE);
    const prepared = await containerTarget.prepare(rt, {});
    const config = functionConfigFor(rt);
    const first = await LocalEnvironment.create(config, prepared.environment);
    const second = await LocalEnvironment.create(config, prepared.environment);
    try {
      const a = await first.invoke({ payload: Buffer.from('{}') });
      expect(JSON.parse(a.payload.toString())).toEqual({ inits: 1, taskRoot: '/var/task', cwd: '/var/task' });
      expect(a.pid).toBeGreaterThan(0);
      // bash and curl were sampled from the container's cgroup.
      expect(a.report.maxMemoryUsedMb).toBeGreaterThanOrEqual(2);

      const crash = await first.invoke({ payload: Buffer.from('"exit"') });
      expect(crash.outcome).toMatchObject({
        kind: 'platform-error',
        error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringContaining('exit status 3') },
      });

      const b = await first.invoke({ payload: Buffer.from('{}') });
      expect(b.coldStart).toBe(true);
      expect(b.pid).not.toBe(a.pid);
      expect(JSON.parse(b.payload.toString())).toMatchObject({ inits: 2 });

      const c = await second.invoke({ payload: Buffer.from('{}') });
      expect(JSON.parse(c.payload.toString())).toMatchObject({ inits: 1 });
    } finally {
      await first.close();
      await second.close();
      await prepared.close();
    }
    expect(await containersOwnedBy(process.pid)).toEqual([]);
  }, 120_000);

  it('`lambdaspec image` builds once and then reuses the image by its content hash', async () => {
    const io = memoryIo();
    expect(await main(['image', 'go-aws-lambda-go'], io)).toBe(0);
    expect(io.stdout()).toMatch(/^go-aws-lambda-go: lambdaspec\/go-aws-lambda-go:[0-9a-f]{16} \d+\.\d MB (reused|built in [\d.]+ s)\n$/);
    const again = memoryIo();
    expect(await main(['image', 'go-aws-lambda-go'], again)).toBe(0);
    expect(again.stdout()).toMatch(/ reused\n$/);
  }, 120_000);

  describe('a user image run with its ENTRYPOINT and CMD (--image)', () => {
    let userImage: string | undefined;
    afterAll(async () => {
      if (userImage)
        await (
          await dockerClient()
        ).container.dockerode
          .getImage(userImage)
          .remove()
          .catch(() => undefined);
    });
    const userImageTag = async (): Promise<string> => {
      if (userImage) return userImage;
      const rt = resolveRuntime('python-awslambdaric');
      await buildRuntime(rt);
      const base = await buildRuntimeImage(rt);
      // What a user writes for AWS's Python runtime interface client: the client as ENTRYPOINT, the handler as CMD.
      const context = mkdtempSync(join(tmpdir(), 'lambdaspec-user-image-'));
      scratch.push(context);
      writeFileSync(
        join(context, 'Dockerfile'),
        [
          `FROM ${base.tag}`,
          'ENV PYTHONPATH=/var/task/site:/var/task',
          'ENTRYPOINT ["/usr/bin/python3", "-m", "awslambdaric"]',
          'CMD ["probe.handler"]',
          '',
        ].join('\n'),
      );
      const tag = `lambdaspec-test/awslambdaric-user:${base.tag.split(':')[1]}`;
      await (await dockerClient()).image.build(context, { t: tag, labels: { [LAMBDASPEC_LABEL]: '1' } } as never);
      userImage = tag;
      return tag;
    };

    it('judges the echo and error cases as the process target judges python-awslambdaric', async () => {
      const tag = await userImageTag();
      const { cases } = loadSuites([DEFAULT_SUITE_DIR]);
      const selected = filterCases(cases, ['events.*', 'error.*']);
      const processRun = await runSuite(selected, resolveRuntime('python-awslambdaric'), { jobs: 2 });
      const { runtime, dispose } = await imageRuntime(tag);
      try {
        expect(runtime.spec.handler).toBe('probe.handler');
        const prepared = await imageTarget(tag).prepare(runtime, {});
        try {
          const imageRun = await runSuite(selected, runtime, { jobs: 2, environment: prepared.environment });
          expect(imageRun.filter((r) => r.verdict === 'pass').length).toBeGreaterThan(8);
          expect(compareVerdicts(processRun, imageRun).differences).toEqual([]);
        } finally {
          await prepared.close();
        }
      } finally {
        dispose();
      }
    }, 240_000);

    it('refuses the image for a function of another architecture: Runtime.InvalidEntrypoint, exec format error', async () => {
      const tag = await userImageTag();
      const { runtime, dispose } = await imageRuntime(tag, { architecture: 'arm64' });
      const prepared = await imageTarget(tag).prepare(runtime, {});
      const env = await LocalEnvironment.create(functionConfigFor(runtime), prepared.environment);
      try {
        const r = await env.invoke({ payload: Buffer.from('{}') });
        expect(r.outcome).toMatchObject({
          kind: 'platform-error',
          error: {
            errorType: 'Runtime.InvalidEntrypoint',
            errorMessage: expect.stringContaining('fork/exec /usr/bin/python3: exec format error'),
          },
        });
        expect(env.processes()).toHaveLength(1);
        expect(env.processes()[0]?.pid).toBeUndefined();
      } finally {
        await env.close();
        await prepared.close();
        dispose();
      }
    }, 120_000);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes every container when \`lambdaspec run --target container\` gets ${signal}`, async () => {
      const reports = mkdtempSync(join(tmpdir(), 'lambdaspec-interrupt-'));
      scratch.push(reports);
      const child = spawn(
        process.execPath,
        [
          'bin/lambdaspec.mjs',
          'run',
          'go-aws-lambda-go',
          '--target',
          'container',
          '--filter',
          'init.*',
          '--filter',
          'lifecycle.*',
          '--report-dir',
          reports,
        ],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const pid = child.pid!;
      try {
        // Wait (bounded) until the run has containers up, then interrupt it.
        let seen: string[] = [];
        for (let i = 0; i < 300 && seen.length === 0; i++) {
          seen = await containersOwnedBy(pid);
          if (seen.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(seen.length, `no container appeared; stderr: ${stderr}`).toBeGreaterThan(0);
        child.kill(signal);
        const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
        expect(code).toBe(130);
        expect(await containersOwnedBy(pid)).toEqual([]);
      } finally {
        child.kill('SIGKILL');
      }
    }, 90_000);
  }
});
