// `evaluate`, the processing entrypoint: the training job's model.tar.gz (SageMaker processing hands it over
// unextracted) in /opt/ml/processing/model, labelled CSV files in /opt/ml/processing/evaluation, and
// evaluation.json in /opt/ml/processing/output.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFromArchive } from './archive.js';
import { InputError } from './errors.js';
import { type EvaluationReport, evaluationReport } from './metrics.js';
import { MODEL_FILE, Predictor } from './model.js';
import { type Env, processingPaths } from './paths.js';
import { readLabelledDir } from './table.js';
import type { Log } from './train.js';

export const EVALUATION_FILE = 'evaluation.json';

async function loadModel(dir: string): Promise<Predictor> {
  const archive = path.join(dir, 'model.tar.gz');
  const plain = path.join(dir, MODEL_FILE);
  let text: string;
  if (existsSync(archive)) text = await readFromArchive(archive, MODEL_FILE);
  else if (existsSync(plain)) text = readFileSync(plain, 'utf8');
  else throw new InputError(`no model.tar.gz (or ${MODEL_FILE}) in ${dir}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${MODEL_FILE} is not JSON: ${(error as Error).message}`);
  }
  return Predictor.fromArtifact(json);
}

export async function runEvaluate(env: Env, log: Log = console.log): Promise<EvaluationReport> {
  const paths = processingPaths(env);
  const predictor = await loadModel(paths.model);
  const { artifact } = predictor;
  log(`model: ${artifact.classLabels.length} classes, trained on ${artifact.trainingRows} rows`);
  const data = readLabelledDir(paths.evaluation, {
    target: artifact.target,
    featureNames: artifact.featureNames,
  });
  log(
    `read ${data.labels.length} rows from ${data.files.length} CSV file(s) (${data.skippedRows} incomplete rows skipped)`,
  );
  const predicted = predictor.predict(data.features).map((prediction) => prediction.label);
  const report = evaluationReport(data.labels, predicted, artifact.classLabels);
  mkdirSync(paths.output, { recursive: true });
  writeFileSync(path.join(paths.output, EVALUATION_FILE), JSON.stringify(report, null, 2));
  const metrics = report.multiclass_classification_metrics;
  log(
    `accuracy=${metrics.accuracy.value.toFixed(6)}; weighted_f1=${metrics.weighted_f1.value.toFixed(6)};` +
      ` wrote ${path.join(paths.output, EVALUATION_FILE)}`,
  );
  return report;
}
