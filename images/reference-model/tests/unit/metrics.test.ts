import { evaluationReport, type Metric } from '../../src/metrics.js';

/** Labels and predictions whose confusion matrix is `matrix` ({true: {predicted: count}}). */
function fromConfusion(matrix: Record<string, Record<string, number>>) {
  const expected: string[] = [];
  const predicted: string[] = [];
  for (const [truth, row] of Object.entries(matrix)) {
    for (const [guess, count] of Object.entries(row)) {
      for (let i = 0; i < count; i += 1) {
        expected.push(truth);
        predicted.push(guess);
      }
    }
  }
  return { expected, predicted };
}

const value = (metric: Metric | undefined) => metric?.value;

/** 6 A (5 predicted A, 1 B), 3 B (all B) and 1 C (predicted A). */
const sixAThreeBOneC = fromConfusion({
  A: { A: 5, B: 1 },
  B: { B: 3 },
  C: { A: 1 },
});

describe('Function: evaluationReport', () => {
  it("matches the weighted metrics of SageMaker Model Monitor's documented multiclass example", () => {
    // Prepare: the confusion matrix of the example in the Model Monitor guide ("Model Quality Metrics")
    const { expected, predicted } = fromConfusion({
      '0': { '0': 1180, '1': 510 },
      '1': { '0': 268, '1': 138 },
    });

    // Act
    const metrics = evaluationReport(expected, predicted).multiclass_classification_metrics;

    // Assess
    expect(metrics.confusion_matrix).toEqual({ '0': { '0': 1180, '1': 510 }, '1': { '0': 268, '1': 138 } });
    expect(value(metrics.accuracy)).toBeCloseTo(0.6288167938931297, 12);
    expect(value(metrics.weighted_recall)).toBeCloseTo(0.6288167938931297, 12);
    expect(value(metrics.weighted_precision)).toBeCloseTo(0.6983172269629505, 12);
    expect(value(metrics.weighted_f0_5)).toBeCloseTo(0.6803947317178771, 12);
    expect(value(metrics.weighted_f1)).toBeCloseTo(0.6571162346664904, 12);
    expect(value(metrics.weighted_f2)).toBeCloseTo(0.6384024354394601, 12);
    // 2096 rows: a standard deviation from five 80% samples, as Model Monitor gives from 200 rows on
    expect(metrics.accuracy.standard_deviation).toEqual(expect.any(Number));
    expect(metrics.accuracy.standard_deviation).toBeGreaterThan(0);
    expect(metrics.accuracy.standard_deviation).toBeLessThan(0.02);
  });

  it('scores the best constant classifier as always answering the most frequent true class', () => {
    // Prepare: 6 A, 3 B, 1 C
    const { expected, predicted } = sixAThreeBOneC;

    // Act
    const metrics = evaluationReport(expected, predicted).multiclass_classification_metrics;

    // Assess: the constant "A" has precision 0.6 and recall 1 on A, 0 elsewhere; weights are class shares
    expect(value(metrics.accuracy_best_constant_classifier)).toBeCloseTo(0.6, 12);
    expect(value(metrics.weighted_recall_best_constant_classifier)).toBeCloseTo(0.6, 12);
    expect(value(metrics.weighted_precision_best_constant_classifier)).toBeCloseTo(0.36, 12);
    expect(value(metrics.weighted_f1_best_constant_classifier)).toBeCloseTo(0.6 * 0.75, 12);
    expect(value(metrics.weighted_f0_5_best_constant_classifier)).toBeCloseTo(
      0.6 * ((1.25 * 0.6) / (0.25 * 0.6 + 1)),
      12,
    );
    expect(value(metrics.weighted_f2_best_constant_classifier)).toBeCloseTo(
      0.6 * ((5 * 0.6) / (4 * 0.6 + 1)),
      12,
    );
  });

  it('gives per-class precision, recall and F1, with 0 for a class that is never predicted', () => {
    // Prepare
    const { expected, predicted } = sixAThreeBOneC;

    // Act
    const metrics = evaluationReport(expected, predicted).multiclass_classification_metrics;

    // Assess
    expect(metrics.precision_per_class).toEqual({
      A: { value: 5 / 6, standard_deviation: 'NaN' },
      B: { value: 3 / 4, standard_deviation: 'NaN' },
      C: { value: 0, standard_deviation: 'NaN' },
    });
    expect(value(metrics.recall_per_class.A)).toBeCloseTo(5 / 6, 12);
    expect(value(metrics.recall_per_class.B)).toBe(1);
    expect(value(metrics.recall_per_class.C)).toBe(0);
    expect(value(metrics.f1_per_class.B)).toBeCloseTo((2 * 0.75) / 1.75, 12);
    expect(value(metrics.accuracy)).toBeCloseTo(0.8, 12);
    expect(metrics.confusion_matrix).toEqual({
      A: { A: 5, B: 1, C: 0 },
      B: { A: 0, B: 3, C: 0 },
      C: { A: 1, B: 0, C: 0 },
    });
  });

  it("lists the model's classes in the confusion matrix even when the data has none of them", () => {
    // Act
    const metrics = evaluationReport(['A', 'A'], ['A', 'A'], ['A', 'B']).multiclass_classification_metrics;

    // Assess
    expect(metrics.confusion_matrix).toEqual({ A: { A: 2, B: 0 }, B: { A: 0, B: 0 } });
    expect(value(metrics.accuracy)).toBe(1);
  });

  it('reports "NaN" as the standard deviation below 200 rows and repeatable deviations above', () => {
    // Prepare
    const small = fromConfusion({ A: { A: 150, B: 49 }, B: { B: 0 } });
    const large = fromConfusion({ A: { A: 150, B: 50 }, B: { A: 30, B: 70 } });

    // Act
    const below = evaluationReport(small.expected, small.predicted).multiclass_classification_metrics;
    const above = evaluationReport(large.expected, large.predicted).multiclass_classification_metrics;

    // Assess
    expect(below.weighted_f1.standard_deviation).toBe('NaN');
    expect(above.weighted_f1.standard_deviation).toEqual(expect.any(Number));
    expect(evaluationReport(large.expected, large.predicted)).toEqual(
      evaluationReport(large.expected, large.predicted),
    );
  });

  it('refuses mismatched or empty inputs', () => {
    // Act & Assess
    expect(() => evaluationReport(['A'], [])).toThrow('1 labels for 0 predictions');
    expect(() => evaluationReport([], [])).toThrow('no row to evaluate');
  });
});
