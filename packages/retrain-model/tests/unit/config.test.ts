import { loadConfig, trainingJobEnv } from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';
import { retrainModelEnv } from '../../src/config.js';

const env = {
  PIPELINE_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  S3_TRAINING_DATA_URI: 's3://mlpipe-dev-000000000000-us-east-1/training-data/',
  S3_OUTPUT_PATH: 's3://mlpipe-dev-000000000000-us-east-1/models',
  TRAINING_INSTANCE_TYPE: 'ml.m5.xlarge',
};

describe('Config: retrainModelEnv', () => {
  it('reads the training job settings trigger-training reads too (shared trainingJobEnv)', () => {
    const retrain = loadConfig(retrainModelEnv, env);
    const training = loadConfig(v.object(trainingJobEnv()), env);

    expect(retrain).toEqual(training);
    expect(retrain.MODEL_IMAGE_URI).toBeUndefined();
  });

  it.each([
    ['unset', undefined, undefined],
    ['empty (the serverless.yml default)', '', undefined],
    [
      'an ECR image by tag',
      '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev:v1',
      '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlpipe-dev:v1',
    ],
  ])('takes MODEL_IMAGE_URI %s', (_what, value, expected) => {
    expect(loadConfig(retrainModelEnv, { ...env, MODEL_IMAGE_URI: value }).MODEL_IMAGE_URI).toBe(expected);
  });

  it('names a missing training setting', () => {
    const { SAGEMAKER_ROLE: _, ...incomplete } = env;

    expect(() => loadConfig(retrainModelEnv, incomplete)).toThrow(
      'Invalid configuration: SAGEMAKER_ROLE is required',
    );
  });
});
