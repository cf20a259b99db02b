import { optionalImageUri, trainingJobEnv } from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';

/** retrain-model: the training job settings of trigger-training, and the image to use when no job has run yet. */
export const retrainModelEnv = v.object({
  ...trainingJobEnv(),
  MODEL_IMAGE_URI: optionalImageUri(),
});
export type RetrainModelConfig = v.InferOutput<typeof retrainModelEnv>;
