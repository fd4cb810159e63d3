/**
 * What a harness run may have left behind: live processes tied to the run, `lambdaspec-*` temporary folders,
 * listening sockets of those processes, and Docker containers of the run. Used by the test run's global teardown
 * (global-setup.ts), which fails the run when anything is found.
 *
 * Containers are labelled `lambdaspec=1`; a container target should also label them `lambdaspec.run=<run id>`
 * (`harnessRunId()`), because the Docker engine may be shared with other runs: only those count as this run's leaks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listeningPorts, procStat, processesWithEnv, RUN_ID_VAR } from '../../process/proc-scan.ts';

/** Set by the test run's global setup and inherited by everything it starts (harness processes, CLI children). */
export const RUN_ID_ENV = 'LAMBDASPEC_RUN_ID';

export interface LeakedProcess {
  pid: number;
  command: string;
  /** Local ports it listens on. */
  listening: number[];
}

export interface LeakReport {
  processes: LeakedProcess[];
  /** `lambdaspec-*` entries left in the temporary folder. */
  tempDirs: string[];
  /** IDs of containers labelled `lambdaspec.run=<run id>`; empty when Docker is absent or not running (see `docker`). */
  containers: string[];
  /** How the Docker check went: `checked`, or why it could not be. */
  docker: string;
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '?';
  }
}

/** This process and its ancestors: they carry the run id but are the run itself. */
function selfAndAncestors(): Set<number> {
  const mine = new Set<number>();
  let pid: number | undefined = process.pid;
  while (pid !== undefined && pid > 0 && !mine.has(pid)) {
    mine.add(pid);
    pid = procStat(pid)?.ppid;
  }
  return mine;
}

/** Containers (any state) matching a label filter (`lambdaspec`, `lambdaspec.run=<id>`), if a Docker engine answers. */
export function lambdaspecContainers(label = 'lambdaspec'): { ids: string[]; status: string } {
  const r = spawnSync('docker', ['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${label}`], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.error)
    return { ids: [], status: `not checked: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no docker CLI' : r.error.message}` };
  if (r.status !== 0) return { ids: [], status: `not checked: docker engine not reachable (${r.stderr.trim().split('\n')[0] ?? ''})` };
  return { ids: r.stdout.split('\n').filter((l) => l.trim() !== ''), status: 'checked' };
}

export function scanForLeaks(o: { runId: string; tmpDir: string; docker?: boolean }): LeakReport {
  const exclude = selfAndAncestors();
  const pids = new Set([...processesWithEnv(RUN_ID_ENV, (v) => v === o.runId), ...processesWithEnv(RUN_ID_VAR, (v) => v === o.runId)]);
  const processes = [...pids]
    .filter((pid) => !exclude.has(pid))
    .sort((a, b) => a - b)
    .map((pid) => ({ pid, command: command(pid), listening: listeningPorts(pid) }));
  const tempDirs = existsSync(o.tmpDir)
    ? readdirSync(o.tmpDir)
        .filter((n) => n.startsWith('lambdaspec-'))
        .map((n) => join(o.tmpDir, n))
    : [];
  const docker = o.docker === false ? { ids: [], status: 'not checked: disabled' } : lambdaspecContainers(`lambdaspec.run=${o.runId}`);
  return { processes, tempDirs, containers: docker.ids, docker: docker.status };
}

export function hasLeaks(r: LeakReport): boolean {
  return r.processes.length > 0 || r.tempDirs.length > 0 || r.containers.length > 0;
}

/** One line per leak, for the failure message. */
export function describeLeaks(r: LeakReport): string[] {
  return [
    ...r.processes.map(
      (p) => `process ${p.pid} still running: ${p.command}${p.listening.length ? ` (listening on ${p.listening.join(', ')})` : ''}`,
    ),
    ...r.tempDirs.map((d) => `temporary folder left: ${d}`),
    ...r.containers.map((id) => `docker container of this run left: ${id}`),
  ];
}
