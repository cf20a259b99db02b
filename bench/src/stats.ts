/**
 * The statistics every figure of the bench is reported with: medians of several runs, percentiles of latencies
 * and ratios to a baseline measured in the same run. Pure functions, unit tested.
 */

/** The median of `values` (the mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The `p`-th percentile (0-100) of `values` by linear interpolation between the closest ranks (the "R-7"
 * definition of NumPy's and Excel's default), so the 50th is the median; NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0-100, not ${p}`);
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (rank - lower);
}

/** `ours / baseline`; NaN when the baseline is zero or either value is not a finite number. */
export function ratio(ours: number, baseline: number): number {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return ours / baseline;
}

/** The ratio of the medians of two series of runs measured side by side. */
export function ratioOfMedians(ours: readonly number[], baseline: readonly number[]): number {
  return ratio(median(ours), median(baseline));
}

export interface Summary {
  runs: number;
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of a series of runs. */
export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((value) => Number.isFinite(value));
  return {
    runs: finite.length,
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
  };
}

/** Rounds for the report: `digits` decimals, NaN kept as null so it survives JSON. */
export function round(value: number, digits = 2): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
