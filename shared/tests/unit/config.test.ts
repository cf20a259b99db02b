import { loadConfig, triggerTrainingEnv } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const valid = {
  PIPELINE_NAME: 'churn',
  SAGEMAKER_ROLE: 'arn:aws:iam::123456789012:role/churn-sagemaker-dev',
  S3_TRAINING_DATA_URI: 's3://churn-data-dev/training-data/',
  S3_OUTPUT_PATH: 's3://churn-data-dev/models',
  ECR_REPOSITORY_NAME: 'churn-dev',
};

describe('Function: loadConfig', () => {
  it('parses a valid environment, applying defaults and normalising URIs', () => {
    const config = loadConfig(triggerTrainingEnv, valid);
    expect(config).toEqual({
      ...valid,
      S3_TRAINING_DATA_URI: 's3://churn-data-dev/training-data',
      TRAINING_INSTANCE_TYPE: 'ml.m5.large',
      TRAINING_INSTANCE_COUNT: 1,
      TRAINING_VOLUME_SIZE_GB: 30,
      TRAINING_MAX_RUNTIME_SECONDS: 3600,
      HYPERPARAMETERS: {},
    });
  });

  it('names a missing variable', () => {
    const { SAGEMAKER_ROLE: _, ...env } = valid;
    expect(() => loadConfig(triggerTrainingEnv, env)).toThrow(
      new ConfigError('Invalid configuration: SAGEMAKER_ROLE is required'),
    );
  });

  it('names every malformed variable with what is wrong', () => {
    const env = {
      ...valid,
      S3_OUTPUT_PATH: 'bucket/models',
      TRAINING_INSTANCE_COUNT: 'two',
      HYPERPARAMETERS: '{bad',
    };
    expect(() => loadConfig(triggerTrainingEnv, env)).toThrow(
      /S3_OUTPUT_PATH must be an s3:\/\/ URI.*TRAINING_INSTANCE_COUNT .*HYPERPARAMETERS must be a JSON object/,
    );
  });

  it('turns hyperparameters into the strings SageMaker expects', () => {
    const config = loadConfig(triggerTrainingEnv, {
      ...valid,
      HYPERPARAMETERS: '{"trees": 50, "seed": "7", "bag": true}',
    });
    expect(config.HYPERPARAMETERS).toEqual({ trees: '50', seed: '7', bag: 'true' });
  });

  it('refuses a pipeline name that would not fit in SageMaker names', () => {
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: 'my_pipeline' })).toThrow(
      /PIPELINE_NAME/,
    );
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: 'p'.repeat(33) })).toThrow(
      /PIPELINE_NAME/,
    );
  });
});
