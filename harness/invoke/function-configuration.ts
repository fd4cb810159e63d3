/**
 * `GetFunctionConfiguration` and `UpdateFunctionConfiguration` on the local Invoke front: just enough of Lambda's
 * control plane for what clients of a deployed function do to it — read its configuration, and touch it so the
 * next invocation is a cold start (how public cold-start benchmarks force cold starts).
 */
import type { ConfigurationUpdate } from '../environment/execution-environment.ts';
import type { FunctionConfig } from '../model/invocation.ts';
import { functionArn } from '../model/invocation.ts';

/** Lambda's `FunctionConfiguration` document (the members clients read). */
export interface FunctionConfigurationDocument {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Handler: string;
  MemorySize: number;
  /** Seconds. */
  Timeout: number;
  Version: string;
  Architectures: string[];
  Environment: { Variables: Record<string, string> };
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip';
  LastModified: string;
}

export function configurationDocument(c: FunctionConfig, lastModified: Date): FunctionConfigurationDocument {
  return {
    FunctionName: c.functionName,
    FunctionArn: functionArn(c),
    Runtime: 'provided.al2023',
    Handler: c.handler,
    MemorySize: c.memorySizeMb,
    Timeout: Math.max(1, Math.round(c.timeoutMs / 1000)),
    Version: c.version,
    Architectures: [c.architecture],
    Environment: { Variables: { ...c.environment } },
    State: 'Active',
    // Updates apply at once locally, so a client polling for the update to finish sees it finished.
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    // Lambda's format: 2024-01-01T00:00:00.000+0000
    LastModified: lastModified.toISOString().replace('Z', '+0000'),
  };
}

/** Members of UpdateFunctionConfiguration the front applies; others are refused rather than silently ignored. */
const APPLIED = new Set(['Environment', 'MemorySize', 'Timeout', 'Description', 'RevisionId']);

/** Parse an UpdateFunctionConfiguration body; a string is the reason it is invalid (400). */
export function parseConfigurationUpdate(body: Buffer): ConfigurationUpdate | string {
  let doc: unknown;
  try {
    doc = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    return 'Could not parse request body into json';
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'The request body must be a JSON object';
  const d = doc as Record<string, unknown>;
  const unsupported = Object.keys(d).filter((k) => !APPLIED.has(k));
  if (unsupported.length > 0)
    return `This local Lambda front does not apply ${unsupported.join(', ')} (it applies Environment, MemorySize, Timeout)`;
  const update: ConfigurationUpdate = {};
  if (d['Environment'] !== undefined) {
    const vars = (d['Environment'] as { Variables?: unknown } | null)?.Variables ?? {};
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars) || Object.values(vars).some((v) => typeof v !== 'string')) {
      return 'Environment.Variables must map names to strings';
    }
    update.environment = { ...(vars as Record<string, string>) };
  }
  if (d['MemorySize'] !== undefined) {
    const m = d['MemorySize'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 128 || m > 10_240) return 'MemorySize must be an integer from 128 to 10240';
    update.memorySizeMb = m;
  }
  if (d['Timeout'] !== undefined) {
    const t = d['Timeout'];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 900) return 'Timeout must be an integer from 1 to 900';
    update.timeoutMs = t * 1000;
  }
  return update;
}
