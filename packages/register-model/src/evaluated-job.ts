/**
 * What a finished evaluation job says about the model it evaluated: its lineage (training job, model data,
 * image and digest) from the Environment evaluate-model gave it, else its tags and inputs; and the folder its
 * `evaluation` output was written to, which must lie under S3_EVALUATION_RESULTS_URI.
 */

import { EVALUATION_OUTPUT, JOB_TAGS, LINEAGE_ENVIRONMENT } from '@sagemaker-pipeline/shared/contracts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { ProcessingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import type { RegisterModelConfig } from './config.js';
import { isWithin, valueAt } from './evaluation.js';

type Detail = ProcessingJobStateChangeEvent['detail'];

const stringRecord = (value: unknown): Record<string, string> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value as Record<string, unknown>).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};

/** Events carry tags as a map; some sources as the API's [{Key, Value}] list. */
function tagsOf(detail: Detail): Record<string, string> {
  const tags = detail.Tags;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  return tags ?? {};
}

export interface Lineage {
  trainingJobName: string | undefined;
  modelDataUrl: string;
  imageUri: string;
  imageDigest: string | undefined;
}

/**
 * What the evaluated model is, from the job evaluate-model started: its Environment (TRAINING_JOB_NAME,
 * MODEL_DATA_URL, IMAGE_URI, IMAGE_DIGEST), else its tags and its `model` input.
 */
export function lineageOf(detail: Detail): Lineage {
  const environment = stringRecord(detail.Environment);
  const tags = tagsOf(detail);
  const inputs = Array.isArray(detail.ProcessingInputs) ? (detail.ProcessingInputs as unknown[]) : [];
  const modelInput = inputs.find((input) => valueAt(input, 'InputName') === 'model');
  const modelInputUri = valueAt(modelInput, 'S3Input.S3Uri');
  const modelDataUrl =
    environment[LINEAGE_ENVIRONMENT.modelData] ??
    (typeof modelInputUri === 'string' ? modelInputUri : undefined);
  const imageUri = environment[LINEAGE_ENVIRONMENT.image];
  const job = detail.ProcessingJobName;
  if (!modelDataUrl) {
    throw new TerminalError(
      `Evaluation job ${job} names no model (Environment.MODEL_DATA_URL or a "model" input); nothing registered`,
    );
  }
  if (!imageUri) {
    throw new TerminalError(
      `Evaluation job ${job} names no inference image (Environment.IMAGE_URI); nothing registered`,
    );
  }
  return {
    trainingJobName: environment[LINEAGE_ENVIRONMENT.trainingJob] ?? tags[JOB_TAGS.trainingJob],
    modelDataUrl,
    imageUri,
    imageDigest: environment[LINEAGE_ENVIRONMENT.imageDigest] ?? tags[JOB_TAGS.imageDigest],
  };
}

/** The folder the job wrote its `evaluation` output to; it must lie under S3_EVALUATION_RESULTS_URI. */
export function evaluationFolder(detail: Detail, config: RegisterModelConfig): string {
  const job = detail.ProcessingJobName;
  const output = detail.ProcessingOutputConfig?.Outputs.find((o) => o.OutputName === EVALUATION_OUTPUT);
  const uri = output?.S3Output?.S3Uri;
  if (!uri) {
    throw new TerminalError(
      `Evaluation job ${job} has no "${EVALUATION_OUTPUT}" output in its ProcessingOutputConfig; nothing registered`,
    );
  }
  if (!isWithin(uri, config.S3_EVALUATION_RESULTS_URI)) {
    throw new TerminalError(
      `Evaluation job ${job} wrote to ${uri}, outside S3_EVALUATION_RESULTS_URI ${config.S3_EVALUATION_RESULTS_URI}; not read, nothing registered`,
    );
  }
  return uri;
}
