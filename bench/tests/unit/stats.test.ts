import { median, percentile, ratio, ratioOfMedians, round, summarize } from '../../src/stats.js';

describe('Function: median', () => {
  it('returns the middle value of an odd count whatever the order', () => {
    // Prepare
    const values = [9, 1, 5];

    // Act
    const result = median(values);

    // Assess
    expect(result).toBe(5);
  });

  it('returns the mean of the two middle values of an even count', () => {
    // Act
    const result = median([4, 1, 3, 2]);

    // Assess
    expect(result).toBe(2.5);
  });

  it('ignores values that are not finite and is NaN when none is left', () => {
    // Act
    const some = median([Number.NaN, 3, Number.POSITIVE_INFINITY, 1]);
    const none = median([Number.NaN]);

    // Assess
    expect(some).toBe(2);
    expect(none).toBeNaN();
  });

  it('does not reorder the caller array', () => {
    // Prepare
    const values = [3, 1, 2];

    // Act
    median(values);

    // Assess
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('Function: percentile', () => {
  it('interpolates between the closest ranks', () => {
    // Prepare: 1..100
    const values = Array.from({ length: 100 }, (_, index) => index + 1);

    // Act
    const p50 = percentile(values, 50);
    const p99 = percentile(values, 99);
    const p0 = percentile(values, 0);
    const p100 = percentile(values, 100);

    // Assess: rank (p/100)*(n-1), as NumPy's default
    expect(p50).toBe(50.5);
    expect(p99).toBeCloseTo(99.01, 10);
    expect(p0).toBe(1);
    expect(p100).toBe(100);
  });

  it('returns the single value of a one-element series for every percentile', () => {
    // Act
    const results = [0, 50, 99, 100].map((p) => percentile([7], p));

    // Assess
    expect(results).toEqual([7, 7, 7, 7]);
  });

  it('refuses a percentile outside 0-100', () => {
    // Act / Assess
    expect(() => percentile([1, 2], 101)).toThrow('percentile must be within 0-100, not 101');
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});

describe('Function: ratio', () => {
  it('divides ours by the baseline', () => {
    // Act / Assess
    expect(ratio(125, 100)).toBe(1.25);
    expect(ratio(50, 100)).toBe(0.5);
  });

  it('is NaN for a zero or non-finite operand rather than Infinity', () => {
    // Act / Assess
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 1)).toBeNaN();
    expect(ratio(1, Number.POSITIVE_INFINITY)).toBeNaN();
  });
});

describe('Function: ratioOfMedians', () => {
  it('compares the medians, so one outlier run does not move the ratio', () => {
    // Prepare: one slow run of ours (a GC pause, another process) among five
    const ours = [110, 112, 900, 108, 111];
    const baseline = [100, 101, 99, 100, 102];

    // Act
    const result = ratioOfMedians(ours, baseline);

    // Assess
    expect(result).toBeCloseTo(111 / 100, 10);
  });
});

describe('Function: summarize', () => {
  it('reports the run count, median, min and max of the finite values', () => {
    // Act
    const summary = summarize([3, 1, Number.NaN, 2]);

    // Assess
    expect(summary).toEqual({ runs: 3, median: 2, min: 1, max: 3 });
  });
});

describe('Function: round', () => {
  it('rounds to the given decimals and turns NaN into null for JSON', () => {
    // Act / Assess
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(Number.NaN)).toBeNull();
  });
});
