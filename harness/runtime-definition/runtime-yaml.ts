/** `runtime.yaml`: a runtime under test describes itself — bootstrap, architecture, capabilities, build. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileSchema, readYaml, validateYaml } from '../lib/yaml-validate.ts';
import type { Architecture } from '../process/elf.ts';

export interface RuntimeYaml {
  name: string;
  language: string;
  description?: string;
  handler: string;
  /** _HANDLER for cases that need streaming, when the runtime streams only from a dedicated handler. */
  streamingHandler?: string;
  bootstrap: string;
  bootstrapArgs?: string[];
  architecture: Architecture;
  capabilities: Record<string, boolean>;
  requires?: string[];
  environment?: Record<string, string>;
  build?: { command: string; produces: string[] };
  /** Layer folders (relative to runtime.yaml), merged read-only into /opt in order on the sandbox target. */
  layers?: string[];
  /** MUST cases this runtime really deviates on: case id → the evidence. */
  deviations?: Record<string, string>;
}

const SCHEMA_PATH = fileURLToPath(new URL('../../runtimes-under-test/runtime-yaml.schema.json', import.meta.url));
let validator: ReturnType<typeof compileSchema> | undefined;

export function loadRuntimeYaml(path: string): RuntimeYaml {
  const parsed = readYaml(path);
  validator ??= compileSchema(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  validateYaml(parsed, validator);
  const raw = parsed.value as RuntimeYaml;
  return { ...raw, capabilities: raw.capabilities ?? {} };
}
