// What the workspace (tests, `pnpm start`) imports from the reference image: its folder, its data and its wire
// shapes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The image folder to push to the offline stack (`image.json`, `Dockerfile`, `dist/`). */
export function imageFolder(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

export {
  type DatasetSplits,
  FEATURE_NAMES,
  HEADER,
  type Penguin,
  penguins,
  type SplitOptions,
  splits,
  TARGET,
} from './dataset.js';
export { EVALUATION_FILE } from './evaluate.js';
export type { EvaluationReport, Metric, MulticlassClassificationMetrics } from './metrics.js';
export { MODEL_FILE, type ModelArtifact, type Prediction } from './model.js';
export type { InvocationResponse } from './serve.js';
