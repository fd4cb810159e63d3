/**
 * Every credential lambdaspec knows stays out of everything it writes and prints. The secrets are known three
 * ways — a function environment variable, the host's AWS credential variables, and (see lambda-client.test.ts)
 * the SDK's credentials — and none has a shape a pattern would recognise, so only redaction by value catches them.
 * The runtime puts each one in every place it can: a log line, the payload (plain, in an array, base64-encoded at
 * each byte offset), an error message, the error-type header, stream chunks and the error trailers of a
 * mid-stream failure. Then every file `run`, `snapshot` and `invoke --record` wrote, and their terminal output,
 * is searched for each secret in every encoding the reports use.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));
const FUNCTION_SECRET = 'fn-Value-of-DB-pw-8c1e';
const HOST = {
  AWS_ACCESS_KEY_ID: 'HOSTKEYID0example',
  AWS_SECRET_ACCESS_KEY: 'host+Value/of-key-19af',
  AWS_SESSION_TOKEN: 'host-Sess-tok-5d2Qx',
};
const SECRETS = [FUNCTION_SECRET, ...Object.values(HOST)];

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The forms a secret can take in a written file, computed independently of the scrubber. */
function encodings(secret: string): string[] {
  const out = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
    encodeURIComponent(secret),
  ];
  for (let offset = 0; offset < 3; offset++) {
    // The interior of the base64 of the secret at this byte alignment: the same whatever surrounds it.
    const b64 = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(secret)]).toString('base64');
    out.push(b64.slice(4, -4), b64.slice(4, -4).replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

/** What a runtime can carry a secret in: every event of the probe contract that echoes text. */
function events(): unknown[] {
  const all = SECRETS.join(' ');
  const b64 = SECRETS.flatMap((s) => [0, 1, 2].map((k) => Buffer.from(`${'p'.repeat(k)}${s}!`).toString('base64')));
  return [
    { probe: 'log', lines: [...SECRETS, `creds ${all}`, ...b64] },
    { probe: 'echo', payload: { list: SECRETS, text: `here: ${all}`, b64 } },
    {
      probe: 'error',
      errorType: `Leak.${HOST.AWS_ACCESS_KEY_ID}`,
      errorMessage: `failed with secret=${HOST.AWS_SECRET_ACCESS_KEY} ${all}`,
    },
    { probe: 'stream', chunks: SECRETS.map((s) => `${s}\n`), delayMs: 0 },
    {
      probe: 'stream-error',
      chunks: [`${FUNCTION_SECRET} `],
      errorType: `Leak.${HOST.AWS_SESSION_TOKEN}`,
      errorMessage: `mid-stream ${all}`,
    },
  ];
}

function lambdaspec(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...HOST } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

function filesUnder(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((n) => filesUnder(join(path, n))) : [path];
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    for (const form of encodings(secret)) expect(text.includes(form), `${where} carries ${secret} as ${form}`).toBe(false);
  }
}

describe('known secrets are redacted by value everywhere', () => {
  it('run, snapshot and invoke --record: no file written and no terminal line carries one, in any encoding', async () => {
    const steps = events()
      .map(
        (e, i) =>
          `      - invoke: { event: ${JSON.stringify(e)}${i >= 3 ? ', stream: true' : ''} }\n        expect: { result: { payload: "something else" } }`,
      )
      .join('\n');
    const suite = join(dir, 'leak.yaml');
    writeFileSync(
      suite,
      `area: leak
cases:
  - id: leak.everywhere
    title: A runtime that puts known secrets everywhere
    level: must
    requirement: r
    source: https://example.com/
    needs: [streaming]
    function: { environment: { DB_PASSWORD: "${FUNCTION_SECRET}" } }
    steps:
${steps}
`,
    );
    const reports = join(dir, 'reports');
    const run = await lambdaspec(['run', 'python-stdlib', '--suite', suite, '--report-dir', reports, '--junit', join(dir, 'junit.xml')]);
    expect(run.code, run.out).toBe(1);
    const snapshotFile = join(dir, 'snapshot.json');
    const snapshot = await lambdaspec([
      'snapshot',
      'python-stdlib',
      '--suite',
      suite,
      '--out',
      snapshotFile,
      '--report-dir',
      join(dir, 'snapshot-reports'),
    ]);
    expect(snapshot.code, snapshot.out).toBe(0);
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(events()[2]));
    const record = join(dir, 'wire.json');
    const invoke = await lambdaspec([
      'invoke',
      'python-stdlib',
      '--event',
      eventFile,
      '--record',
      record,
      '--env',
      `DB_PASSWORD=${FUNCTION_SECRET}`,
    ]);
    expect(invoke.code, invoke.out).toBe(1);

    const written = filesUnder(dir).filter((f) => f !== suite && f !== eventFile);
    expect(written.map((f) => f.slice(dir.length + 1)).sort()).toEqual(
      expect.arrayContaining([
        'junit.xml',
        'reports/report.html',
        'reports/report.json',
        'reports/report.md',
        'snapshot.json',
        'wire.json',
      ]),
    );
    for (const f of written) expectNoSecret(f, readFileSync(f, 'utf8'));
    for (const [name, r] of Object.entries({ run, snapshot, invoke })) expectNoSecret(`${name}'s terminal output`, r.out);
    // The redactions are there, not just missing text; the recording stays a valid recording.
    expect(readFileSync(join(reports, 'report.json'), 'utf8')).toMatch(
      /\[REDACTED:(secret|secret-access-key|access-key-id|session-token)(:base64)?\]/,
    );
    const wire = JSON.parse(readFileSync(record, 'utf8')) as { exchanges: Array<{ request: { body: { base64: string; utf8?: string } } }> };
    for (const x of wire.exchanges)
      if (x.request.body.utf8 !== undefined) expect(Buffer.from(x.request.body.base64, 'base64').toString()).toBe(x.request.body.utf8);
  });
});
