import { type Champion, evaluateGate, type GateInput } from '../../src/gate.js';

const PATH = 'multiclass_classification_metrics.accuracy.value';
const champion = (value: number | undefined, version = 3): Champion => ({
  modelPackageArn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/${version}`,
  version,
  value,
});
const gate = (overrides: Partial<GateInput>) =>
  evaluateGate({
    metricPath: PATH,
    value: 0.9,
    threshold: 0.8,
    direction: 'higher',
    minImprovement: 0,
    champion: undefined,
    ...overrides,
  });

describe('Function: evaluateGate', () => {
  it('passes on the threshold alone when there is no champion', () => {
    expect(gate({ value: 0.9 })).toEqual({
      passed: true,
      reasons: [],
      summary: `${PATH} = 0.9 meets the threshold 0.8 (higher is better); no approved champion to beat`,
    });
  });

  it('treats the threshold as inclusive', () => {
    expect(gate({ value: 0.8 }).passed).toBe(true);
    expect(gate({ value: 0.7999 }).passed).toBe(false);
  });

  it('fails below the threshold with the values in the reason', () => {
    expect(gate({ value: 0.75 })).toEqual({
      passed: false,
      reasons: [`${PATH} = 0.75 does not meet the threshold 0.8 (higher is better)`],
      summary: `${PATH} = 0.75 does not meet the threshold 0.8 (higher is better)`,
    });
  });

  it('passes when the challenger beats the champion', () => {
    const outcome = gate({ value: 0.93, champion: champion(0.91) });

    expect(outcome.passed).toBe(true);
    expect(outcome.summary).toContain('beats the champion version 3 (0.91)');
  });

  it('fails when the champion is better', () => {
    expect(gate({ value: 0.9, champion: champion(0.95) }).reasons).toEqual([
      `${PATH} = 0.9 does not beat the champion version 3 (0.95) (higher is better)`,
    ]);
  });

  it('fails on an equal metric: "beat" means strictly better, even with MIN_IMPROVEMENT 0', () => {
    const outcome = gate({ value: 0.91, champion: champion(0.91), minImprovement: 0 });

    expect(outcome.passed).toBe(false);
    expect(outcome.reasons).toEqual([
      `${PATH} = 0.91 does not beat the champion version 3 (0.91) (higher is better)`,
    ]);
  });

  it('gives every reason when both the threshold and the champion fail', () => {
    expect(gate({ value: 0.7, champion: champion(0.85) }).reasons).toHaveLength(2);
  });

  it('requires the minimum improvement, with floating-point tolerance at the boundary', () => {
    // 0.94 - 0.84 is 0.09999999999999998 in floating point: still an improvement of 0.1.
    expect(gate({ value: 0.94, champion: champion(0.84), minImprovement: 0.1 }).passed).toBe(true);
    expect(gate({ value: 0.93, champion: champion(0.84), minImprovement: 0.1 })).toMatchObject({
      passed: false,
      reasons: [
        `${PATH} = 0.93 does not beat the champion version 3 (0.84) by at least 0.1 (higher is better)`,
      ],
    });
  });

  it('inverts both checks when lower is better', () => {
    const rmse = { metricPath: 'regression_metrics.rmse.value', direction: 'lower' as const, threshold: 0.2 };

    expect(gate({ ...rmse, value: 0.12, champion: champion(0.15) }).passed).toBe(true);
    expect(gate({ ...rmse, value: 0.25 }).reasons).toEqual([
      'regression_metrics.rmse.value = 0.25 does not meet the threshold 0.2 (lower is better)',
    ]);
    expect(gate({ ...rmse, value: 0.12, champion: champion(0.1) }).reasons).toEqual([
      'regression_metrics.rmse.value = 0.12 does not beat the champion version 3 (0.1) (lower is better)',
    ]);
    expect(gate({ ...rmse, value: 0.1, champion: champion(0.1) }).passed).toBe(false);
    expect(gate({ ...rmse, value: 0.2 }).passed).toBe(true);
  });

  it('fails, saying how to fix it, when the champion has no comparable metric', () => {
    expect(gate({ value: 0.99, champion: champion(undefined) }).reasons).toEqual([
      `the champion version 3 has no ${PATH} to compare with (set its metric-path and metric-value metadata, or approve this model by hand)`,
    ]);
  });
});
