/**
 * Where commands write reports when not told: reports/ under the current directory. In a clone that is the
 * repository's reports/ (npm scripts run from its root); from an installed package it is the user's project,
 * never the package folder inside node_modules.
 */
import { resolve } from 'node:path';

export function defaultReportPath(...parts: string[]): string {
  return resolve('reports', ...parts);
}
