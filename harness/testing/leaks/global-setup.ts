/**
 * Vitest global setup: gives the test run an id and a temporary folder of its own, and after the last test fails
 * the run if any process, `lambdaspec-*` temporary folder, listening socket or `lambdaspec` container it started is
 * still there.
 *
 * The id (`LAMBDASPEC_RUN_ID`) and `TMPDIR` are set here, before the workers start, so every test, every CLI it
 * spawns and every runtime (as `_LAMBDASPEC_RUN_ID`) inherits them: the check sees only this run, never another
 * run sharing the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeLeaks, hasLeaks, lambdaspecContainers, RUN_ID_ENV, scanForLeaks } from './leak-scan.ts';

/** Processes killed by a test's last step may need a moment to be gone. */
const SETTLE_MS = 3000;

export default function setup(): () => Promise<void> {
  const runId = `test-${randomBytes(6).toString('hex')}`;
  const originalTmp = process.env['TMPDIR'];
  const tmpDir = mkdtempSync(join(tmpdir(), 'lambdaspec-testrun-'));
  process.env[RUN_ID_ENV] = runId;
  const containersBefore = new Set(lambdaspecContainers().ids);
  process.env['TMPDIR'] = tmpDir;

  return async () => {
    const deadline = Date.now() + SETTLE_MS;
    let report = scanForLeaks({ runId, tmpDir, docker: false });
    while (hasLeaks(report) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      report = scanForLeaks({ runId, tmpDir, docker: false });
    }
    const docker = lambdaspecContainers(`lambdaspec.run=${runId}`);
    report = { ...report, containers: docker.ids, docker: docker.status };
    // Unscoped containers may be another run's on a shared engine: worth a line, not a failure.
    const appeared = lambdaspecContainers().ids.filter((id) => !containersBefore.has(id) && !docker.ids.includes(id));
    if (appeared.length > 0) {
      console.warn(
        `leak check: ${appeared.length} container(s) labelled lambdaspec but not lambdaspec.run=${runId} appeared during the run (another run's?): ${appeared.map((id) => id.slice(0, 12)).join(', ')}`,
      );
    }
    // Clean up whatever leaked, so one failing run does not poison the machine, then fail loudly.
    for (const p of report.processes) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    rmSync(tmpDir, { recursive: true, force: true });
    if (originalTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = originalTmp;
    if (hasLeaks(report)) {
      // Vitest reports an error thrown here but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(`the test run left things behind:\n  ${describeLeaks(report).join('\n  ')}`);
    }
    console.info(`leak check: no process, temporary folder, listening socket or container left (docker ${report.docker})`);
  };
}
