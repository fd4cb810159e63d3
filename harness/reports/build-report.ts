/** Assembling report.json from a run's case reports. */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { EXIT } from '../lib/exit-codes.ts';
import { collectUnknownRoutes, countVerdicts, exitCodeFor, type CaseReport, type ColdStartMeasurement, type NotRunCase, type RunReport } from '../model/report-model.ts';

export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface BuildReportInput {
  runtime: ResolvedRuntime;
  cases: CaseReport[];
  startedAt: Date;
  finishedAt: Date;
  strict: boolean;
  filter?: string[];
  suites: string[];
  jobs: number;
  interrupted: boolean;
  target?: string;
  stopped?: string;
  coldStarts?: ColdStartMeasurement;
  /** The selected cases' identity (scenarios/suite-digest.ts). */
  suite?: { digest: string; cases: number };
  /** Cases selected but not reached (when the run ended early). */
  notRun?: NotRunCase[];
}

export function buildReport(input: BuildReportInput): RunReport {
  const summary = countVerdicts(input.cases);
  const unknownRoutes = collectUnknownRoutes(input.cases);
  const rt = input.runtime;
  return {
    format: 'lambdaspec.report/v1',
    tool: { name: 'lambdaspec', version: toolVersion() },
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    runtime: {
      name: rt.spec.name,
      language: rt.spec.language,
      ...(rt.spec.description ? { description: rt.spec.description } : {}),
      bootstrap: rt.bootstrap,
      architecture: rt.spec.architecture,
      capabilities: rt.spec.capabilities,
      ...(rt.spec.deviations && Object.keys(rt.spec.deviations).length > 0 ? { deviations: rt.spec.deviations } : {}),
    },
    target: input.target ?? 'process',
    environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length },
    options: { strict: input.strict, ...(input.filter?.length ? { filter: input.filter } : {}), suites: input.suites, jobs: input.jobs },
    ...(input.suite ? { suite: input.suite } : {}),
    summary,
    // The status the command exits with, so a partial run never reads as green.
    exitCode: input.stopped !== undefined ? EXIT.USAGE : input.interrupted ? EXIT.INTERRUPTED : exitCodeFor(input.cases, input.strict),
    ...(unknownRoutes.length > 0 ? { unknownRoutes } : {}),
    interrupted: input.interrupted,
    ...(input.notRun?.length ? { notRun: input.notRun } : {}),
    ...(input.stopped !== undefined ? { stopped: input.stopped } : {}),
    ...(input.coldStarts ? { coldStarts: input.coldStarts } : {}),
    cases: input.cases,
  };
}
