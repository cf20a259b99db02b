// Evaluation results in the shape of SageMaker Model Monitor's model-quality metrics for multiclass
// classification (`multiclass_classification_metrics`: confusion_matrix, accuracy, weighted_recall,
// weighted_precision, weighted_f0_5/f1/f2 and the same for the best constant classifier), plus per-class
// precision, recall and F1 in the same {value, standard_deviation} form. Like Model Monitor, the standard
// deviation is given only from 200 rows on (five random 80% samples), else "NaN". Precision of a class that is
// never predicted counts as 0.

import { seededRandom, shuffled } from './random.js';

export interface Metric {
  value: number;
  standard_deviation: number | 'NaN';
}

export type ConfusionMatrix = Record<string, Record<string, number>>;

export interface MulticlassClassificationMetrics {
  confusion_matrix: ConfusionMatrix;
  accuracy: Metric;
  weighted_recall: Metric;
  weighted_precision: Metric;
  weighted_f0_5: Metric;
  weighted_f1: Metric;
  weighted_f2: Metric;
  accuracy_best_constant_classifier: Metric;
  weighted_recall_best_constant_classifier: Metric;
  weighted_precision_best_constant_classifier: Metric;
  weighted_f0_5_best_constant_classifier: Metric;
  weighted_f1_best_constant_classifier: Metric;
  weighted_f2_best_constant_classifier: Metric;
  precision_per_class: Record<string, Metric>;
  recall_per_class: Record<string, Metric>;
  f1_per_class: Record<string, Metric>;
}

export interface EvaluationReport {
  multiclass_classification_metrics: MulticlassClassificationMetrics;
}

/** Rows from which Model Monitor reports a standard deviation. */
export const MIN_ROWS_FOR_DEVIATION = 200;

const fBeta = (precision: number, recall: number, beta: number): number => {
  const b2 = beta * beta;
  const denominator = b2 * precision + recall;
  return denominator === 0 ? 0 : ((1 + b2) * precision * recall) / denominator;
};

const WEIGHTED = [
  'weighted_recall',
  'weighted_precision',
  'weighted_f0_5',
  'weighted_f1',
  'weighted_f2',
] as const;

/** Every scalar metric of one sample: the aggregated ones by name, per-class ones as `<kind>/<label>`. */
function scalars(expected: readonly string[], predicted: readonly string[], labels: readonly string[]) {
  const n = expected.length;
  const values: Record<string, number> = {};
  const support = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  const truePositives = new Map<string, number>();
  for (let i = 0; i < n; i += 1) {
    const truth = expected[i] ?? '';
    const guess = predicted[i] ?? '';
    support.set(truth, (support.get(truth) ?? 0) + 1);
    predictedCount.set(guess, (predictedCount.get(guess) ?? 0) + 1);
    if (truth === guess) truePositives.set(truth, (truePositives.get(truth) ?? 0) + 1);
  }
  const weighted = (score: (label: string) => number): number =>
    labels.reduce((sum, label) => sum + ((support.get(label) ?? 0) / n) * score(label), 0);
  const precision = (label: string): number => {
    const count = predictedCount.get(label) ?? 0;
    return count ? (truePositives.get(label) ?? 0) / count : 0;
  };
  const recall = (label: string): number => {
    const count = support.get(label) ?? 0;
    return count ? (truePositives.get(label) ?? 0) / count : 0;
  };
  values.accuracy = [...truePositives.values()].reduce((a, b) => a + b, 0) / n;
  values.weighted_recall = weighted(recall);
  values.weighted_precision = weighted(precision);
  values.weighted_f0_5 = weighted((label) => fBeta(precision(label), recall(label), 0.5));
  values.weighted_f1 = weighted((label) => fBeta(precision(label), recall(label), 1));
  values.weighted_f2 = weighted((label) => fBeta(precision(label), recall(label), 2));

  // The best constant classifier always answers the most frequent true class (first in label order on a tie):
  // its precision for that class is that class's share, its recall 1, every other class scores 0.
  let majority = labels[0] ?? '';
  for (const label of labels) if ((support.get(label) ?? 0) > (support.get(majority) ?? 0)) majority = label;
  const share = (support.get(majority) ?? 0) / n;
  values.accuracy_best_constant_classifier = share;
  values.weighted_recall_best_constant_classifier = share;
  values.weighted_precision_best_constant_classifier = share * share;
  values.weighted_f0_5_best_constant_classifier = share * fBeta(share, 1, 0.5);
  values.weighted_f1_best_constant_classifier = share * fBeta(share, 1, 1);
  values.weighted_f2_best_constant_classifier = share * fBeta(share, 1, 2);

  for (const label of labels) {
    values[`precision/${label}`] = precision(label);
    values[`recall/${label}`] = recall(label);
    values[`f1/${label}`] = fBeta(precision(label), recall(label), 1);
  }
  return values;
}

const standardDeviation = (values: number[]): number => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
};

export function evaluationReport(
  expected: readonly string[],
  predicted: readonly string[],
  modelLabels: readonly string[] = [],
  seed = 42,
): EvaluationReport {
  if (expected.length !== predicted.length) {
    throw new Error(`${expected.length} labels for ${predicted.length} predictions`);
  }
  if (!expected.length) throw new Error('no row to evaluate');
  const labels = [...new Set([...modelLabels, ...expected, ...predicted])].sort();
  const full = scalars(expected, predicted, labels);

  const deviations: Record<string, number> = {};
  if (expected.length >= MIN_ROWS_FOR_DEVIATION) {
    const random = seededRandom(seed);
    const size = Math.floor(expected.length * 0.8);
    const samples = Array.from({ length: 5 }, () => {
      const rows = shuffled(
        expected.map((_, i) => i),
        random,
      ).slice(0, size);
      return scalars(
        rows.map((i) => expected[i] ?? ''),
        rows.map((i) => predicted[i] ?? ''),
        labels,
      );
    });
    for (const name of Object.keys(full)) {
      deviations[name] = standardDeviation(samples.map((sample) => sample[name] ?? 0));
    }
  }
  const metric = (name: string): Metric => ({
    value: full[name] ?? 0,
    standard_deviation: deviations[name] ?? 'NaN',
  });
  const perClass = (kind: string): Record<string, Metric> =>
    Object.fromEntries(labels.map((label) => [label, metric(`${kind}/${label}`)]));

  const confusion: ConfusionMatrix = Object.fromEntries(
    labels.map((truth) => [truth, Object.fromEntries(labels.map((guess) => [guess, 0]))]),
  );
  expected.forEach((truth, i) => {
    const row = confusion[truth] as Record<string, number>;
    const guess = predicted[i] ?? '';
    row[guess] = (row[guess] ?? 0) + 1;
  });

  return {
    multiclass_classification_metrics: {
      confusion_matrix: confusion,
      accuracy: metric('accuracy'),
      ...(Object.fromEntries(WEIGHTED.map((name) => [name, metric(name)])) as Record<
        (typeof WEIGHTED)[number],
        Metric
      >),
      accuracy_best_constant_classifier: metric('accuracy_best_constant_classifier'),
      ...(Object.fromEntries(
        WEIGHTED.map((name) => [
          `${name}_best_constant_classifier`,
          metric(`${name}_best_constant_classifier`),
        ]),
      ) as Record<`${(typeof WEIGHTED)[number]}_best_constant_classifier`, Metric>),
      precision_per_class: perClass('precision'),
      recall_per_class: perClass('recall'),
      f1_per_class: perClass('f1'),
    },
  };
}
