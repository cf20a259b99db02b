import { ecrRepositoryName, trainingJobEnv } from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';

/** trigger-training: the training job settings, and the repository whose pushes train. */
export const triggerTrainingEnv = v.object({
  ...trainingJobEnv(),
  ECR_REPOSITORY_NAME: ecrRepositoryName(),
});
export type TriggerTrainingConfig = v.InferOutput<typeof triggerTrainingEnv>;
