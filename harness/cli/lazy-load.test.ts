/**
 * Heavy dependencies load only in the commands that use them: importing a command's compiled module (what the CLI
 * does for that command) must not load testcontainers (≈ 0.5 s), the AWS SDK (≈ 0.2 s) or the browser and load
 * tools. Read from require.cache in a fresh Node: these packages are CommonJS, so ESM imports of them land there.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HEAVY = ['testcontainers', '@aws-sdk/client-lambda', 'playwright-core', 'autocannon', 'undici'];

/** npm packages loaded by importing one module of dist/. */
function packagesLoadedBy(distModule: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    await import(${JSON.stringify(`./dist/${distModule}`)});
    const names = Object.keys(require.cache).filter((k) => k.includes('/node_modules/')).map((k) => {
      const parts = k.split('/node_modules/').pop().split('/');
      return parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0];
    });
    console.log(JSON.stringify([...new Set(names)]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe('lazy loading of heavy dependencies', () => {
  it('the CLI entry and the command table load no npm package at all (lambdaspec --help)', () => {
    expect(packagesLoadedBy('cli/main.js')).toEqual([]);
  });

  it.each([
    'cli/run-command.js',
    'cli/invoke-command.js',
    'cli/matrix-command.js',
    'cli/serve-command.js',
    'cli/build-command.js',
    'api.js',
  ])('%s loads none of the heavy ones', (mod) => {
    const loaded = packagesLoadedBy(mod);
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('the probe sees them where they are used (the container and deployed targets)', () => {
    expect(packagesLoadedBy('targets/container/container-target.js')).toContain('testcontainers');
    expect(packagesLoadedBy('remote/deployed/deployed-target.js')).toContain('@aws-sdk/client-lambda');
  });
});
