/** Test helpers shared by the scenario-language tests. */
import { SuiteError } from '../lib/yaml-validate.ts';

/** The SuiteError `fn` throws; any other outcome fails the test. */
export function errorOf(fn: () => unknown): SuiteError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SuiteError) return e;
    throw e;
  }
  throw new Error('expected a SuiteError');
}
