import { splits } from '../../src/dataset.js';
import { DEFAULT_HYPERPARAMETERS, parseHyperparameters } from '../../src/hyperparameters.js';
import { accuracy, MODEL_FORMAT, Predictor, trainModel } from '../../src/model.js';
import { appendCsv, type LabelledData } from '../../src/table.js';
import { ACCURACY_FLOOR } from '../helpers/floor.js';

const data = splits();
const table = (csv: string): LabelledData => appendCsv(undefined, csv, 'data.csv');
const training = table(data.train);
const evaluation = table(data.evaluation);
const labelsOf = (predictor: Predictor, rows: number[][]) => predictor.predict(rows).map((p) => p.label);

describe('Function: trainModel', () => {
  it(`classifies the held-out penguins with an accuracy of at least ${ACCURACY_FLOOR}`, () => {
    // Act
    const artifact = trainModel(training, DEFAULT_HYPERPARAMETERS, 'ml-random-forest@2.1.0');
    const predictor = Predictor.fromArtifact(JSON.parse(JSON.stringify(artifact)));

    // Assess
    const evaluationAccuracy = accuracy(evaluation.labels, labelsOf(predictor, evaluation.features));
    const holdoutAccuracy = accuracy(data.holdout.labels, labelsOf(predictor, data.holdout.features));
    expect(evaluationAccuracy).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(holdoutAccuracy).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(artifact.trainingAccuracy).toBeGreaterThanOrEqual(evaluationAccuracy);
  });

  it('writes the feature names, class labels, row count and hyperparameters beside the forest', () => {
    // Act
    const artifact = trainModel(training, DEFAULT_HYPERPARAMETERS, 'ml-random-forest@2.1.0');

    // Assess
    expect(artifact).toMatchObject({
      format: MODEL_FORMAT,
      library: 'ml-random-forest@2.1.0',
      target: 'species',
      featureNames: ['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g'],
      classLabels: ['Adelie', 'Chinstrap', 'Gentoo'],
      trainingRows: 152,
      skippedRows: 0,
      trainingFiles: 1,
      hyperparameters: DEFAULT_HYPERPARAMETERS,
      classifier: { name: 'RFClassifier' },
    });
    expect(artifact.classifier.baseModel.estimators).toHaveLength(50);
  });

  it('gives the same model, byte for byte, for the same data and seed, and another for another seed', () => {
    // Act
    const first = JSON.stringify(trainModel(training, DEFAULT_HYPERPARAMETERS, 'lib'));
    const second = JSON.stringify(trainModel(training, DEFAULT_HYPERPARAMETERS, 'lib'));
    const reseeded = JSON.stringify(trainModel(training, parseHyperparameters({ seed: '43' }), 'lib'));

    // Assess
    expect(second).toBe(first);
    expect(reseeded).not.toBe(first);
  });

  it('refuses training data with a single class', () => {
    // Prepare
    const oneClass = table('species,x\nAdelie,1\nAdelie,2\n');

    // Act & Assess
    expect(() => trainModel(oneClass, DEFAULT_HYPERPARAMETERS, 'lib')).toThrow(
      'the training data has 1 class(es) in column species: a classifier needs at least 2',
    );
  });
});

describe('Class: Predictor', () => {
  const predictor = Predictor.fromArtifact(trainModel(training, DEFAULT_HYPERPARAMETERS, 'lib'));

  it('answers a label and the share of trees voting for each class, summing to 1', () => {
    // Act
    const [prediction] = predictor.predict([data.holdout.features[0] ?? []]);

    // Assess
    expect(Object.keys(prediction?.probabilities ?? {})).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const probabilities = Object.values(prediction?.probabilities ?? {});
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const best = Object.entries(prediction?.probabilities ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0];
    expect(prediction?.label).toBe(best);
  });

  it('answers nothing for no rows', () => {
    // Assess
    expect(predictor.predict([])).toEqual([]);
  });

  it('refuses a file that is not one of its models', () => {
    // Act & Assess
    expect(() => Predictor.fromArtifact({ format: 'other' })).toThrow(`not a ${MODEL_FORMAT} model file`);
    expect(() => Predictor.fromArtifact(null)).toThrow(`not a ${MODEL_FORMAT} model file`);
  });
});
