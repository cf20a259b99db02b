/**
 * Each stage's configuration schema (its src/config.ts) through shared's loadConfig: defaults, normalised
 * values, and a ConfigError that names every missing or malformed variable.
 */
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { ConfigError } from '@sagemaker-pipeline/shared/errors';
import { evaluateModelEnv } from '../../../packages/evaluate-model/src/config.js';
import { registerModelEnv } from '../../../packages/register-model/src/config.js';
import { triggerTrainingEnv } from '../../../packages/trigger-training/src/config.js';

const valid = {
  PIPELINE_NAME: 'churn',
  SAGEMAKER_ROLE: 'arn:aws:iam::123456789012:role/churn-sagemaker-dev',
  S3_TRAINING_DATA_URI: 's3://churn-data-dev/training-data/',
  S3_OUTPUT_PATH: 's3://churn-data-dev/models',
  ECR_REPOSITORY_NAME: 'churn-dev',
};

const registerEnv = {
  PIPELINE_NAME: 'churn',
  MODEL_REGISTRY_NAME: 'churn',
  S3_EVALUATION_RESULTS_URI: 's3://churn-data-dev/evaluations',
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
    // 32 letters and digits, but 63 characters with its hyphens: its names would be truncated.
    expect(() =>
      loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: Array(32).fill('p').join('-') }),
    ).toThrow('PIPELINE_NAME must be at most 32 characters');
  });

  it('refuses a double hyphen, which names would collapse into the name of another pipeline', () => {
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: 'mlpipe--dev' })).toThrow(
      'PIPELINE_NAME must be letters and digits in words joined by single hyphens',
    );
  });

  it.each([
    ['mlpipe-train', 'train'],
    ['mlpipe-dev-retrain', 'retrain'],
    ['eval-x', 'eval'],
    ['mlpipe-Model', 'model'],
    ['mlpipe-endpoint-2', 'endpoint'],
  ])('refuses the pipeline name %s, which contains the reserved word %s, and says why', (name, word) => {
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: name })).toThrow(
      `PIPELINE_NAME must not contain the reserved word "${word}": resource names are <pipeline>-<kind>-<hash>`,
    );
    expect(() => loadConfig(registerModelEnv, { ...registerEnv, PIPELINE_NAME: name })).toThrow(
      /IAM scopes could match this pipeline's resources; choose another name/,
    );
  });

  it.each(['mlpipe-dev', 'mlpipe-dev-2', 'trainer', 'mlpipe-models', 'p'.repeat(32)])(
    'accepts the pipeline name %s',
    (name) => {
      expect(loadConfig(triggerTrainingEnv, { ...valid, PIPELINE_NAME: name }).PIPELINE_NAME).toBe(name);
    },
  );
});

describe('Function: loadConfig, value formats', () => {
  it.each([
    ['yes', true],
    ['TRUE', true],
    [' 1 ', true],
    ['off', false],
    ['No', false],
  ])('reads MANUAL_APPROVAL=%s as %s', (text, expected) => {
    const config = loadConfig(registerModelEnv, { ...registerEnv, MANUAL_APPROVAL: text });
    expect(config.MANUAL_APPROVAL).toBe(expected);
  });

  it('applies the defaults as the values they stand for', () => {
    const config = loadConfig(registerModelEnv, registerEnv);
    expect(config).toMatchObject({ METRIC_THRESHOLD: 0.8, MIN_IMPROVEMENT: 0, MANUAL_APPROVAL: false });
  });

  it.each([
    ['MANUAL_APPROVAL', 'maybe', /MANUAL_APPROVAL must be true or false/],
    ['METRIC_THRESHOLD', 'NaN', /METRIC_THRESHOLD must be a number/],
    ['MIN_IMPROVEMENT', '-0.1', /MIN_IMPROVEMENT must be 0 or more/],
  ])('refuses %s=%s, naming it', (name, text, message) => {
    expect(() => loadConfig(registerModelEnv, { ...registerEnv, [name]: text })).toThrow(message);
  });

  it.each(['1.5', '1e3', '', 'ten'])('refuses a count that is not a whole number: %s', (text) => {
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, TRAINING_INSTANCE_COUNT: text })).toThrow(
      /TRAINING_INSTANCE_COUNT must be a whole number/,
    );
  });

  it('refuses a count below 1', () => {
    expect(() => loadConfig(triggerTrainingEnv, { ...valid, TRAINING_INSTANCE_COUNT: '0' })).toThrow(
      /TRAINING_INSTANCE_COUNT must be at least 1/,
    );
  });
});

describe('Function: loadConfig, sweep lookback', () => {
  const evaluateEnv = {
    PIPELINE_NAME: 'churn',
    SAGEMAKER_ROLE: 'arn:aws:iam::123456789012:role/churn-sagemaker',
    EVALUATION_DATA_URI: 's3://churn-data-dev/evaluation-data',
    S3_EVALUATION_RESULTS_URI: 's3://churn-data-dev/evaluations',
  };

  it('looks back 24 hours unless SWEEP_LOOKBACK_HOURS says otherwise', () => {
    expect(loadConfig(evaluateModelEnv, evaluateEnv).SWEEP_LOOKBACK_HOURS).toBe(24);
    expect(loadConfig(registerModelEnv, registerEnv).SWEEP_LOOKBACK_HOURS).toBe(24);
    expect(
      loadConfig(evaluateModelEnv, { ...evaluateEnv, SWEEP_LOOKBACK_HOURS: '72' }).SWEEP_LOOKBACK_HOURS,
    ).toBe(72);
  });

  it.each([
    ['0', 'must be at least 1'],
    ['721', 'must be at most 720'],
    ['1.5', 'must be a whole number'],
  ])('refuses SWEEP_LOOKBACK_HOURS=%s, naming it', (text, message) => {
    expect(() => loadConfig(evaluateModelEnv, { ...evaluateEnv, SWEEP_LOOKBACK_HOURS: text })).toThrow(
      `SWEEP_LOOKBACK_HOURS ${message}`,
    );
  });
});
