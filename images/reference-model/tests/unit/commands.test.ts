import { existsSync, readFileSync } from 'node:fs';
import { run } from '../../src/cli.js';
import { splits } from '../../src/dataset.js';
import type { EvaluationReport } from '../../src/metrics.js';
import type { ModelArtifact } from '../../src/model.js';
import { type Container, container, lines, writeTarGz } from '../helpers/container.js';
import { ACCURACY_FLOOR } from '../helpers/floor.js';

const data = splits();

describe('Command: train', () => {
  let c: Container;
  beforeEach(() => {
    c = container();
  });
  afterEach(() => c.remove());

  it('trains on every CSV file of the train channel and writes model.json to the model folder', async () => {
    // Prepare
    c.write('/opt/ml/input/data/train/initial.csv', data.train);
    for (const [i, csv] of data.newData.entries()) {
      c.write(`/opt/ml/input/data/train/batches/new-${i}.csv`, csv);
    }
    c.write('/opt/ml/input/config/hyperparameters.json', JSON.stringify({ n_estimators: '20', seed: '5' }));
    const output = lines();

    // Act
    const code = await run(['train'], c.env, output.log, output.log);

    // Assess
    expect(code).toBe(0);
    const model = JSON.parse(readFileSync(c.path('/opt/ml/model/model.json'), 'utf8')) as ModelArtifact;
    expect(model).toMatchObject({
      trainingRows: 242,
      trainingFiles: 4,
      hyperparameters: { n_estimators: 20, seed: 5 },
    });
    expect(model.classifier.baseModel.estimators).toHaveLength(20);
    expect(output.all).toContainEqual(expect.stringMatching(/^train:accuracy=0\.9\d+;$/));
    expect(existsSync(c.path('/opt/ml/output/failure'))).toBe(false);
  });

  it("follows the training toolkit's SM_MODEL_DIR and SM_CHANNEL_TRAIN and scores a validation channel", async () => {
    // Prepare
    c.write('/elsewhere/train/data.csv', data.train);
    c.write('/opt/ml/input/data/validation/v.csv', data.evaluation);
    const env = {
      ...c.env,
      SM_CHANNEL_TRAIN: c.path('/elsewhere/train'),
      SM_MODEL_DIR: c.path('/elsewhere/model'),
    };
    const output = lines();

    // Act
    const code = await run(['train'], env, output.log, output.log);

    // Assess
    expect(code).toBe(0);
    expect(existsSync(c.path('/elsewhere/model/model.json'))).toBe(true);
    const validation = output.all.find((line) => line.startsWith('validation:accuracy='));
    expect(Number(validation?.match(/=([\d.]+);/)?.[1])).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });

  it.each([
    ['no train channel', {}, /\/opt\/ml\/input\/data\/train does not exist/],
    [
      'a bad hyperparameter',
      { '/opt/ml/input/config/hyperparameters.json': '{"max_depth":"deep"}' },
      /^hyperparameter max_depth="deep" must be an integer$/,
    ],
    [
      'a value that is not a number',
      { '/opt/ml/input/data/train/a.csv': 'species,x\nAdelie,1\nGentoo,big\n' },
      /^a\.csv, row 3: "big" in column x is not a number$/,
    ],
  ])('writes the reason to /opt/ml/output/failure and exits 1 on %s', async (_case, files, reason) => {
    // Prepare
    for (const [file, content] of Object.entries(files)) c.write(file, content);
    const output = lines();

    // Act
    const code = await run(['train'], c.env, output.log, output.log);

    // Assess
    expect(code).toBe(1);
    expect(readFileSync(c.path('/opt/ml/output/failure'), 'utf8')).toMatch(reason);
    expect(existsSync(c.path('/opt/ml/model/model.json'))).toBe(false);
  });

  it('writes the failure where SM_OUTPUT_DIR says', async () => {
    // Act
    const code = await run(['train'], { ...c.env, SM_OUTPUT_DIR: c.path('/out') }, lines().log, lines().log);

    // Assess
    expect(code).toBe(1);
    expect(readFileSync(c.path('/out/failure'), 'utf8')).toContain('does not exist');
  });
});

describe('Command: evaluate', () => {
  let c: Container;
  beforeEach(() => {
    c = container();
  });
  afterEach(() => c.remove());

  async function trainedArchive(): Promise<void> {
    c.write('/train/opt/ml/input/data/train/initial.csv', data.train);
    expect(await run(['train'], { SM_LOCAL_ROOT: c.path('/train') }, lines().log, lines().log)).toBe(0);
    await writeTarGz(c.path('/opt/ml/processing/model/model.tar.gz'), {
      'model.json': readFileSync(c.path('/train/opt/ml/model/model.json'), 'utf8'),
    });
  }

  it('scores the model of model.tar.gz on the evaluation CSV files and writes evaluation.json', async () => {
    // Prepare
    await trainedArchive();
    c.write('/opt/ml/processing/evaluation/part-1.csv', data.evaluation);

    // Act
    const code = await run(['evaluate'], c.env, lines().log, lines().log);

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(
      readFileSync(c.path('/opt/ml/processing/output/evaluation.json'), 'utf8'),
    ) as EvaluationReport;
    const metrics = report.multiclass_classification_metrics;
    expect(Object.keys(report)).toEqual(['multiclass_classification_metrics']);
    expect(Object.keys(metrics)).toEqual([
      'confusion_matrix',
      'accuracy',
      'weighted_recall',
      'weighted_precision',
      'weighted_f0_5',
      'weighted_f1',
      'weighted_f2',
      'accuracy_best_constant_classifier',
      'weighted_recall_best_constant_classifier',
      'weighted_precision_best_constant_classifier',
      'weighted_f0_5_best_constant_classifier',
      'weighted_f1_best_constant_classifier',
      'weighted_f2_best_constant_classifier',
      'precision_per_class',
      'recall_per_class',
      'f1_per_class',
    ]);
    expect(metrics.accuracy).toEqual({ value: expect.any(Number), standard_deviation: 'NaN' });
    expect(metrics.accuracy.value).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(Object.keys(metrics.f1_per_class)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const total = Object.values(metrics.confusion_matrix)
      .flatMap((row) => Object.values(row))
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(70);
  });

  it('fails with the reason when the archive has no model.json', async () => {
    // Prepare
    await writeTarGz(c.path('/opt/ml/processing/model/model.tar.gz'), { 'weights.bin': 'x' });
    c.write('/opt/ml/processing/evaluation/part-1.csv', data.evaluation);

    // Act
    const code = await run(['evaluate'], c.env, lines().log, lines().log);

    // Assess
    expect(code).toBe(1);
    expect(readFileSync(c.path('/opt/ml/output/failure'), 'utf8')).toMatch(
      /model\.tar\.gz has no model\.json \(entries: weights\.bin\)$/,
    );
  });

  it('fails with the reason when model.tar.gz is not a gzip archive', async () => {
    // Prepare
    c.write('/opt/ml/processing/model/model.tar.gz', 'not gzip');

    // Act
    const code = await run(['evaluate'], c.env, lines().log, lines().log);

    // Assess
    expect(code).toBe(1);
    expect(readFileSync(c.path('/opt/ml/output/failure'), 'utf8')).toMatch(
      /^cannot read .*model\.tar\.gz as a \.tar\.gz archive/,
    );
  });

  it('fails with the reason when the evaluation data lacks a feature of the model', async () => {
    // Prepare
    await trainedArchive();
    c.write('/opt/ml/processing/evaluation/part-1.csv', 'species,beak_length_mm\nAdelie,39\n');

    // Act
    const code = await run(['evaluate'], c.env, lines().log, lines().log);

    // Assess
    expect(code).toBe(1);
    expect(readFileSync(c.path('/opt/ml/output/failure'), 'utf8')).toBe(
      'part-1.csv: missing feature column(s) beak_depth_mm, flipper_length_mm, body_mass_g',
    );
  });
});

describe('Function: run', () => {
  it('refuses an unknown command with exit code 64 and the usage', async () => {
    // Prepare
    const errors = lines();

    // Act
    const code = await run(['predict'], {}, lines().log, errors.log);

    // Assess
    expect(code).toBe(64);
    expect(errors.all).toEqual(['unknown command "predict"; usage: main.js train | evaluate | serve']);
  });

  it('exits 1 from serve when there is no model to load', async () => {
    // Prepare
    const c = container();
    const errors = lines();

    // Act
    const code = await run(['serve'], c.env, lines().log, errors.log);

    // Assess
    expect(code).toBe(1);
    expect(errors.all[0]).toMatch(/^cannot serve: no model at .*\/opt\/ml\/model\/model\.json/);
    c.remove();
  });
});
