/**
 * `lambdaspec init`: a runtime.yaml and a probe handler for a language, so a runtime author starts from a probe that
 * passes the suite. The templates are the bundled runtimes' own probes, copied from runtimes-under-test/ — one copy
 * of each probe in the repository, kept honest by the bundled runtimes' test.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { UserError } from '../lib/user-error.ts';
import { hostArchitecture } from '../process/elf.ts';
import { BUNDLED_RUNTIMES_DIR, sanitiseName } from '../runtime-definition/resolve-runtime.ts';
import { loadRuntimeYaml, type RuntimeYaml } from '../runtime-definition/runtime-yaml.ts';

export const LANGUAGES = ['bash', 'python', 'node', 'go', 'rust', 'java'] as const;
export type Language = (typeof LANGUAGES)[number];

interface ProbeTemplate {
  /** The bundled runtime whose probe is the template. */
  from: string;
  /** Its files that make up the probe (and, for a compiled probe, its build), copied as they are. */
  files: string[];
  /**
   * The probe is built together with its runtime library (Go, Rust, Java): the folder is a whole runtime, built the
   * way the bundled one is. Otherwise the probe is a handler file and the author brings the bootstrap.
   */
  compiled: boolean;
  /** Commands the probe itself needs (not the runtime's: its bootstrap's requires are the author's to add). */
  requires: string[];
  /** What the author may have to adapt, one line. */
  adapt: string;
}

const TEMPLATES: Record<Language, ProbeTemplate> = {
  bash: {
    from: 'bash-curl',
    files: ['probe.sh'],
    compiled: false,
    requires: ['bash', 'jq'],
    adapt:
      "probe.sh is sourced the way AWS's bash tutorial sources its handler: `handler` reads the event on stdin and writes the response on stdout (see its header for what the bootstrap provides)",
  },
  python: {
    from: 'python-awslambdaric',
    files: ['probe.py'],
    compiled: false,
    requires: [],
    adapt:
      "probe.py is handler(event, context) with the context object of AWS's Python client (awslambdaric); adapt the context branch if your runtime's differs",
  },
  node: {
    from: 'node-aws-lambda-ric',
    files: ['probe.mjs'],
    compiled: false,
    requires: [],
    adapt:
      "probe.mjs exports handler(event, context) and streamHandler, which needs the awslambda.streamifyResponse global of Lambda's Node runtime; without it, delete streamHandler and streamingHandler",
  },
  go: {
    from: 'go-aws-lambda-go',
    files: ['main.go', 'go.mod', 'go.sum'],
    compiled: true,
    requires: [],
    adapt: 'main.go runs the probe on aws-lambda-go (lambda.Start); to certify your own runtime library, swap it in go.mod and main.go',
  },
  rust: {
    from: 'rust-lambda-runtime',
    files: ['Cargo.toml', 'Cargo.lock', join('src', 'main.rs')],
    compiled: true,
    requires: [],
    adapt:
      'src/main.rs runs the probe on the lambda_runtime crate; to certify your own runtime library, swap it in Cargo.toml and src/main.rs',
  },
  java: {
    from: 'java-aws-lambda-ric',
    files: [
      'pom.xml',
      join('src', 'main', 'java', 'probe', 'handler.java'),
      join('src', 'main', 'java', 'probe', 'ErrorTypes.java'),
      'bootstrap',
    ],
    compiled: true,
    requires: [],
    adapt:
      "the probe is a RequestHandler (src/main/java/probe/handler.java) started by bootstrap on AWS's Java client (aws-lambda-java-runtime-interface-client in pom.xml); to certify your own client, swap it in pom.xml and bootstrap",
  },
};

export function isLanguage(s: string): s is Language {
  return (LANGUAGES as readonly string[]).includes(s);
}

export interface InitResult {
  /** Files written, relative to the folder, runtime.yaml first. */
  written: string[];
  template: string;
  /** The folder is a whole runtime once built (compiled probes); otherwise it needs the author's bootstrap. */
  needsBootstrap: boolean;
  adapt: string;
  handler: string;
}

function yamlList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** runtime.yaml for the new folder: the template's handler and capabilities, the author's bootstrap. */
function runtimeYaml(name: string, language: Language, t: ProbeTemplate, from: RuntimeYaml): string {
  const requires = t.compiled ? (from.requires ?? []) : t.requires;
  const lines = [
    `# Written by \`lambdaspec init --language ${language}\`; the probe handler is runtimes-under-test/${t.from}'s.`,
    '# Every field: docs/probe-contract.md and the runtime.yaml section of the README.',
    `name: ${name}`,
    `language: ${language}`,
    `handler: ${from.handler}`,
    ...(from.streamingHandler ? [`streamingHandler: ${from.streamingHandler}   # _HANDLER for the streaming cases`] : []),
    t.files.includes('bootstrap')
      ? 'bootstrap: bootstrap            # starts the runtime on the built probe'
      : t.compiled
        ? 'bootstrap: bootstrap            # built from this folder (build below)'
        : "bootstrap: bootstrap            # your runtime's entry point, relative to this folder",
    `architecture: ${hostArchitecture()}`,
    'capabilities:',
    `  streaming: ${from.capabilities['streaming'] === true}   # true when the runtime streams responses (Lambda-Runtime-Function-Response-Mode: streaming)`,
    `  handler: ${from.capabilities['handler'] === true}   # false when the runtime ignores _HANDLER (the function is compiled in)`,
    `  logging: ${from.capabilities['logging'] === true}   # true when it honours AWS_LAMBDA_LOG_FORMAT/LEVEL through a logger API (docs/logging.md)`,
    ...(requires.length > 0 ? [`requires: ${yamlList(requires)}   # commands the runtime needs on PATH`] : []),
    ...(t.compiled && from.build
      ? ['build:', `  command: ${JSON.stringify(from.build.command)}`, `  produces: ${yamlList(from.build.produces)}`]
      : []),
    '',
  ];
  return lines.join('\n');
}

/** Write the probe for `language` into `dir`; a folder with anything in it is refused unless `force`. */
export function initProbeFolder(dir: string, language: Language, options: { force?: boolean } = {}): InitResult {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`init: ${dir} exists and is not a folder`);
    if (readdirSync(dir).length > 0 && options.force !== true)
      throw new UserError(`init: ${dir} is not empty (--force writes into it anyway, replacing the files init writes)`);
  }
  const t = TEMPLATES[language];
  const source = join(BUNDLED_RUNTIMES_DIR, t.from);
  const from = loadRuntimeYaml(join(source, 'runtime.yaml'));
  const yaml = runtimeYaml(sanitiseName(basename(resolve(dir))), language, t, from);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'runtime.yaml'), yaml);
  for (const file of t.files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(source, file), join(dir, file));
  }
  return { written: ['runtime.yaml', ...t.files], template: t.from, needsBootstrap: !t.compiled, adapt: t.adapt, handler: from.handler };
}
