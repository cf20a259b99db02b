import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  arn,
  describeStageTemplate,
  PASS_ROLE,
  PUBLISH_ALERTS,
  sendToDeadLetters,
} from '@sagemaker-pipeline/testing/stage-template';
import { evaluateModelEnv } from '../../src/config.js';

describeStageTemplate({
  stage: 'evaluate-model',
  serviceDir: fileURLToPath(new URL('../..', import.meta.url)),
  role: {
    allows:
      'the sweep listings, DescribeTrainingJob on the train- and retrain- jobs of the pipeline, CreateProcessingJob and AddTags on its evaluation jobs, PassRole, its dead-letter queue, the alert topic and its logs',
    statements: [
      {
        Effect: 'Allow',
        Action: ['sagemaker:ListTrainingJobs', 'sagemaker:ListProcessingJobs'],
        Resource: ['*'],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeTrainingJob'],
        Resource: [
          arn('sagemaker', 'training-job/mlpipe-dev-train-*'),
          arn('sagemaker', 'training-job/mlpipe-dev-retrain-*'),
        ],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateProcessingJob', 'sagemaker:AddTags'],
        Resource: [arn('sagemaker', 'processing-job/mlpipe-dev-eval-*')],
      },
      PASS_ROLE,
      sendToDeadLetters('evaluate-model'),
      PUBLISH_ALERTS,
    ],
    onAnyResource: {
      actions: ['sagemaker:ListTrainingJobs', 'sagemaker:ListProcessingJobs'],
      why: 'the two List actions, which have no resource type',
    },
  },
  rules: {
    route:
      "only finished training jobs of the pipeline to the function, by the exact train- and retrain- prefixes (EventBridge ORs them), not another pipeline's, and runs its sweep hourly",
    patterns: [
      'rate(1 hour)',
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Training Job State Change'],
        detail: {
          TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
          TrainingJobName: [{ prefix: 'mlpipe-dev-train-' }, { prefix: 'mlpipe-dev-retrain-' }],
        },
      },
    ],
  },
  sweepParams: {
    params: ['sweepSchedule=rate(15 minutes)', 'sweepLookbackHours=6'],
    schedule: 'rate(15 minutes)',
    lookback: '6',
    offRules: 1,
  },
  environment: {
    title: 'gives the function plain-string configuration that names the pipeline resources',
    variables: {
      PIPELINE_NAME: 'mlpipe-dev',
      SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
      EVALUATION_DATA_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluation-data',
      S3_EVALUATION_RESULTS_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluations',
      EVALUATION_IMAGE_URI: '',
      EVALUATION_INSTANCE_TYPE: 'ml.m5.large',
      SWEEP_LOOKBACK_HOURS: '24',
    },
  },
  deadLetters: {
    gaveUpOn: 'a training job state change',
    consequence: 'that training job was not evaluated',
    loadConfig: (variables) => loadConfig(evaluateModelEnv, variables),
  },
});
