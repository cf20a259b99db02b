// The classifier: mljs's random forest on numeric features, labels mapped to class indexes in sorted order.
// The model file is JSON, written without timestamps, so that the same data and seed give the same bytes.
import { RandomForestClassifier } from 'ml-random-forest';
import { InputError } from './errors.js';
import type { Hyperparameters } from './hyperparameters.js';
import type { LabelledData } from './table.js';

export const MODEL_FORMAT = 'reference-model/random-forest@1';
export const MODEL_FILE = 'model.json';

type ForestJson = ReturnType<RandomForestClassifier['toJSON']>;

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  library: string;
  target: string;
  featureNames: string[];
  classLabels: string[];
  trainingRows: number;
  skippedRows: number;
  trainingFiles: number;
  hyperparameters: Hyperparameters;
  trainingAccuracy: number;
  classifier: ForestJson;
}

export interface Prediction {
  label: string;
  /** Share of the trees that voted for each class. */
  probabilities: Record<string, number>;
}

export class Predictor {
  private constructor(
    readonly artifact: ModelArtifact,
    private readonly forest: RandomForestClassifier,
  ) {}

  static fromArtifact(value: unknown): Predictor {
    const artifact = value as Partial<ModelArtifact> | null;
    if (
      typeof artifact !== 'object' ||
      artifact === null ||
      artifact.format !== MODEL_FORMAT ||
      !Array.isArray(artifact.featureNames) ||
      !Array.isArray(artifact.classLabels) ||
      typeof artifact.classifier !== 'object'
    ) {
      throw new InputError(`not a ${MODEL_FORMAT} model file`);
    }
    return new Predictor(artifact as ModelArtifact, RandomForestClassifier.load(artifact.classifier));
  }

  get featureNames(): string[] {
    return this.artifact.featureNames;
  }

  predict(rows: number[][]): Prediction[] {
    if (!rows.length) return [];
    const labels = this.artifact.classLabels;
    const votes = this.forest.predictionValues(rows);
    return rows.map((_, i) => {
      const counts = new Array<number>(labels.length).fill(0);
      const row = votes.getRow(i) as number[];
      for (const classIndex of row) counts[classIndex] = (counts[classIndex] ?? 0) + 1;
      let best = 0;
      for (let c = 1; c < counts.length; c += 1) if ((counts[c] ?? 0) > (counts[best] ?? 0)) best = c;
      return {
        label: labels[best] ?? '',
        probabilities: Object.fromEntries(
          labels.map((label, c) => [label, Math.round(((counts[c] ?? 0) / row.length) * 1e6) / 1e6]),
        ),
      };
    });
  }
}

export function accuracy(expected: readonly string[], predicted: readonly string[]): number {
  if (!expected.length) return Number.NaN;
  return expected.filter((label, i) => label === predicted[i]).length / expected.length;
}

export function trainModel(
  data: LabelledData,
  hyperparameters: Hyperparameters,
  library: string,
): ModelArtifact {
  const classLabels = [...new Set(data.labels)].sort();
  if (classLabels.length < 2) {
    throw new InputError(
      `the training data has ${classLabels.length} class(es) in column ${data.target}: a classifier needs at least 2`,
    );
  }
  const classIndex = new Map(classLabels.map((label, index) => [label, index]));
  const forest = new RandomForestClassifier({
    nEstimators: hyperparameters.n_estimators,
    maxFeatures: hyperparameters.max_features,
    seed: hyperparameters.seed,
    replacement: true,
    useSampleBagging: true,
    noOOB: true,
    treeOptions: { maxDepth: hyperparameters.max_depth, minNumSamples: hyperparameters.min_samples_split },
  });
  forest.train(
    data.features,
    data.labels.map((label) => classIndex.get(label) ?? 0),
  );
  const artifact: ModelArtifact = {
    format: MODEL_FORMAT,
    library,
    target: data.target,
    featureNames: data.featureNames,
    classLabels,
    trainingRows: data.labels.length,
    skippedRows: data.skippedRows,
    trainingFiles: data.files.length,
    hyperparameters,
    trainingAccuracy: Number.NaN,
    classifier: forest.toJSON(),
  };
  const predicted = Predictor.fromArtifact(artifact).predict(data.features);
  artifact.trainingAccuracy = accuracy(
    data.labels,
    predicted.map((prediction) => prediction.label),
  );
  return artifact;
}
