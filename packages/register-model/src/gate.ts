/**
 * The promotion gate, as a pure function: the challenger's metric must meet the threshold and, when there is a
 * champion (the newest Approved package), beat the champion's metric by at least the minimum improvement, in
 * the configured direction.
 *
 * Definitions (inclusive threshold, strict champion):
 * - threshold: `higher` passes when value >= threshold, `lower` when value <= threshold;
 * - champion: improvement = value - champion (`higher`) or champion - value (`lower`); the challenger must be
 *   strictly better (improvement > 0) and improvement >= MIN_IMPROVEMENT. So with MIN_IMPROVEMENT 0 an equal
 *   metric does not replace the champion. MIN_IMPROVEMENT is compared with a relative tolerance of 1e-9, so that
 *   0.94 - 0.84 (0.09999999999999998 in floating point) counts as an improvement of 0.1.
 */

export type Direction = 'higher' | 'lower';

export interface Champion {
  modelPackageArn: string;
  version: number | undefined;
  /** The champion's value of the metric; undefined when it could not be found. */
  value: number | undefined;
}

export interface GateInput {
  metricPath: string;
  value: number;
  threshold: number;
  direction: Direction;
  minImprovement: number;
  champion: Champion | undefined;
}

export interface GateOutcome {
  passed: boolean;
  /** Why the challenger failed; empty when it passed. */
  reasons: string[];
  /** One line for logs, the package's approval description and its metadata. */
  summary: string;
}

const TOLERANCE = 1e-9;

const championName = (champion: Champion) =>
  champion.version === undefined ? champion.modelPackageArn : `version ${champion.version}`;

export function evaluateGate(input: GateInput): GateOutcome {
  const { metricPath, value, threshold, direction, minImprovement, champion } = input;
  const better = `${direction} is better`;
  const reasons: string[] = [];
  const checks: string[] = [];

  const meetsThreshold = direction === 'higher' ? value >= threshold : value <= threshold;
  if (meetsThreshold) {
    checks.push(`${metricPath} = ${value} meets the threshold ${threshold} (${better})`);
  } else {
    reasons.push(`${metricPath} = ${value} does not meet the threshold ${threshold} (${better})`);
  }

  if (champion === undefined) {
    checks.push('no approved champion to beat');
  } else if (champion.value === undefined) {
    reasons.push(
      `the champion ${championName(champion)} has no ${metricPath} to compare with (set its metric-path and metric-value metadata, or approve this model by hand)`,
    );
  } else {
    const improvement = direction === 'higher' ? value - champion.value : champion.value - value;
    const tolerance = TOLERANCE * Math.max(1, Math.abs(value), Math.abs(champion.value));
    const margin = minImprovement > 0 ? ` by at least ${minImprovement}` : '';
    if (improvement > 0 && improvement >= minImprovement - tolerance) {
      checks.push(`beats the champion ${championName(champion)} (${champion.value})${margin}`);
    } else {
      reasons.push(
        `${metricPath} = ${value} does not beat the champion ${championName(champion)} (${champion.value})${margin} (${better})`,
      );
    }
  }

  const passed = reasons.length === 0;
  return { passed, reasons, summary: passed ? checks.join('; ') : reasons.join('; ') };
}
