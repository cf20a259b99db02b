// `train`: the `train` channel's CSV files and the hyperparameters in, model.json in the model folder out.
// A `validation` channel, when the job has one, is scored and logged.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseHyperparameters, readHyperparameters } from './hyperparameters.js';
import { accuracy, MODEL_FILE, type ModelArtifact, Predictor, trainModel } from './model.js';
import { channelDir, type Env, modelDir } from './paths.js';
import { readLabelledDir } from './table.js';

export type Log = (line: string) => void;

const libraryVersion = (): string => {
  const manifest = createRequire(import.meta.url)('ml-random-forest/package.json') as { version: string };
  return `ml-random-forest@${manifest.version}`;
};

export function runTrain(env: Env, log: Log = console.log): ModelArtifact {
  const hyperparameters = parseHyperparameters(readHyperparameters(env));
  log(`hyperparameters ${JSON.stringify(hyperparameters)}`);
  const trainDir = channelDir(env, 'train');
  const data = readLabelledDir(trainDir, { target: hyperparameters.target });
  log(
    `read ${data.labels.length} rows from ${data.files.length} CSV file(s) under ${trainDir}` +
      ` (${data.skippedRows} incomplete rows skipped); label ${data.target}, features ${data.featureNames.join(', ')}`,
  );
  const started = Date.now();
  const artifact = trainModel(data, hyperparameters, libraryVersion());
  log(`trained ${hyperparameters.n_estimators} trees in ${Date.now() - started} ms`);
  log(`train:accuracy=${artifact.trainingAccuracy.toFixed(6)};`);

  const validationDir = channelDir(env, 'validation');
  if (existsSync(validationDir)) {
    const validation = readLabelledDir(validationDir, {
      target: artifact.target,
      featureNames: artifact.featureNames,
    });
    const predicted = Predictor.fromArtifact(artifact).predict(validation.features);
    const score = accuracy(
      validation.labels,
      predicted.map((prediction) => prediction.label),
    );
    log(`validation:accuracy=${score.toFixed(6)}; (${validation.labels.length} rows)`);
  }

  const dir = modelDir(env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MODEL_FILE), JSON.stringify(artifact));
  log(`wrote ${path.join(dir, MODEL_FILE)}`);
  return artifact;
}
