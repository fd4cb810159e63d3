/** Comparing the suite's verdicts on two targets case by case: the container target must judge as the process one does. */
import type { CaseReport } from '../../model/report-model.ts';

export interface VerdictDifference {
  id: string;
  left: string;
  right: string;
  /** Why the right side judged as it did (its reason), for the report. */
  reason?: string;
}

export interface ParityResult {
  compared: number;
  differences: VerdictDifference[];
}

/** Cases present on both sides with their verdicts; a case on one side only counts as a difference. */
export function compareVerdicts(left: readonly CaseReport[], right: readonly CaseReport[]): ParityResult {
  const byId = new Map(right.map((r) => [r.id, r]));
  const differences: VerdictDifference[] = [];
  for (const l of left) {
    const r = byId.get(l.id);
    byId.delete(l.id);
    if (!r) {
      differences.push({ id: l.id, left: l.verdict, right: 'absent' });
      continue;
    }
    if (r.verdict !== l.verdict)
      differences.push({
        id: l.id,
        left: l.verdict,
        right: r.verdict,
        ...((r.reason ?? l.reason) ? { reason: r.reason ?? l.reason } : {}),
      });
  }
  for (const r of byId.values()) differences.push({ id: r.id, left: 'absent', right: r.verdict });
  return { compared: left.length, differences };
}
