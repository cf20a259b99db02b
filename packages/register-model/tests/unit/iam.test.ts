import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  arn,
  describeStageTemplate,
  PUBLISH_ALERTS,
  sendToDeadLetters,
} from '@sagemaker-pipeline/testing/stage-template';
import { registerModelEnv } from '../../src/config.js';

const { statements } = describeStageTemplate({
  stage: 'register-model',
  serviceDir: fileURLToPath(new URL('../..', import.meta.url)),
  role: {
    allows:
      'listing and describing its evaluation jobs, reading and writing evaluations, creating, listing and describing the group packages, its dead-letter queue, the alert topic and its logs',
    statements: [
      { Effect: 'Allow', Action: ['sagemaker:ListProcessingJobs'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeProcessingJob'],
        Resource: [arn('sagemaker', 'processing-job/mlpipe-dev-eval-*')],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: ['arn:aws:s3:::mlpipe-dev-000000000000-us-east-1/evaluations/*'],
      },
      {
        Effect: 'Allow',
        Action: [
          'sagemaker:CreateModelPackage',
          'sagemaker:ListModelPackages',
          'sagemaker:DescribeModelPackage',
        ],
        Resource: [arn('sagemaker', 'model-package/mlpipe-dev/*')],
      },
      sendToDeadLetters('register-model'),
      PUBLISH_ALERTS,
    ],
    onAnyResource: {
      actions: ['sagemaker:ListProcessingJobs'],
      why: 'ListProcessingJobs, which has no resource type',
    },
  },
  rules: {
    route: 'only finished evaluation jobs of the pipeline to the function, and runs its sweep hourly',
    patterns: [
      'rate(1 hour)',
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Processing Job State Change'],
        detail: {
          ProcessingJobStatus: ['Completed', 'Failed', 'Stopped'],
          ProcessingJobName: [{ prefix: 'mlpipe-dev-eval-' }],
        },
      },
    ],
  },
  sweepParams: {
    params: ['sweepSchedule=rate(6 hours)', 'sweepLookbackHours=48'],
    schedule: 'rate(6 hours)',
    lookback: '48',
    offRules: 1,
  },
  environment: {
    title: 'runs one gate decision at a time with the default gate configuration as plain strings',
    reservedConcurrency: 1,
    variables: {
      PIPELINE_NAME: 'mlpipe-dev',
      MODEL_REGISTRY_NAME: 'mlpipe-dev',
      S3_EVALUATION_RESULTS_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluations',
      METRIC_PATH: 'multiclass_classification_metrics.accuracy.value',
      METRIC_THRESHOLD: '0.8',
      METRIC_DIRECTION: 'higher',
      MIN_IMPROVEMENT: '0',
      MANUAL_APPROVAL: 'false',
      SWEEP_LOOKBACK_HOURS: '24',
    },
  },
  deadLetters: {
    gaveUpOn: 'an evaluation job state change',
    consequence: 'its model was neither registered nor rejected',
    loadConfig: (variables) => loadConfig(registerModelEnv, variables),
  },
});

describe('Template: register-model role, beyond the table', () => {
  it('has no PassRole: it starts no job', () => {
    expect(
      statements.flatMap((statement) => statement.Action).filter((action) => action.startsWith('iam:')),
    ).toEqual([]);
  });
});
