import * as v from 'valibot';
import { ecrRepositoryName, trainingJobEnv } from './fields.js';

/** trigger-training: the training job settings, and the repository whose pushes train. */
export const triggerTrainingEnv = v.object({
  ...trainingJobEnv(),
  ECR_REPOSITORY_NAME: ecrRepositoryName(),
});
export type TriggerTrainingConfig = v.InferOutput<typeof triggerTrainingEnv>;
