/** `lambdaspec init <folder> --language <l>`: a runtime.yaml and a probe handler to certify a runtime with. */
import { join, relative, resolve } from 'node:path';
import { EXIT } from '../lib/exit-codes.ts';
import { UserError } from '../lib/user-error.ts';
import { PROBE_CONTRACT_DOC } from '../probe/preflight.ts';
import { initProbeFolder, isLanguage, LANGUAGES } from '../probe/templates.ts';
import { BUNDLED_RUNTIMES_DIR, REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { parseFlags } from './args.ts';
import type { Io } from './io.ts';

export const INIT_USAGE = `lambdaspec init <folder> --language ${LANGUAGES.join('|')} [--force]

Writes <folder>/runtime.yaml and the probe handler for the language (docs/probe-contract.md): the one a bundled
runtime of that language runs, so it passes the suite on a correct runtime. Go, Rust and Java probes are built with
their runtime client, so the folder is a whole runtime (built by 'lambdaspec run'); for bash, Python and Node the
folder needs your runtime's bootstrap.

  --language <l>   ${LANGUAGES.join(', ')}
  --force          write into a folder that is not empty (the files init writes are replaced)

Exit status: 0, 2 on bad input (an unknown language, a folder that is not empty).`;

/** A path as the user would type it from here. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

export function initCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseFlags('init', argv, { language: { type: 'string' }, force: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UserError(`init: expected exactly one <folder>\n\n${INIT_USAGE}`);
  const language = values.language;
  if (language === undefined) throw new UserError(`init: --language is required (${LANGUAGES.join(', ')})`);
  if (!isLanguage(language)) throw new UserError(`init: --language "${language}" is not one of ${LANGUAGES.join(', ')}`);
  const dir = resolve(positionals[0]!);
  const r = initProbeFolder(dir, language, { force: values.force === true });
  const from = shown(join(BUNDLED_RUNTIMES_DIR, r.template));
  io.out(`wrote ${r.written.map((f) => shown(join(dir, f))).join(', ')} (the probe handler of ${from})\n`);
  io.out(`${r.adapt}.\n\nNext:\n`);
  const steps = [
    ...(r.needsBootstrap
      ? [
          `make ${shown(join(dir, 'bootstrap'))} start your runtime with the handler ${r.handler} (a copy, a symlink, or another path in runtime.yaml's bootstrap); ${from}/bootstrap is one`,
        ]
      : []),
    `set capabilities in ${shown(join(dir, 'runtime.yaml'))} to what your runtime supports`,
    `npx lambdaspec run ${shown(dir)}${r.needsBootstrap ? '' : '        # builds it first, then runs the suite'}`,
  ];
  steps.forEach((s, i) => io.out(`  ${i + 1}. ${s}\n`));
  io.out(`The probe contract: ${shown(join(REPO_ROOT, PROBE_CONTRACT_DOC))}\n`);
  return EXIT.OK;
}
