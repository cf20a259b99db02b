import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  arn,
  describeStageTemplate,
  PASS_ROLE,
  PUBLISH_ALERTS,
  sendToDeadLetters,
} from '@sagemaker-pipeline/testing/stage-template';
import { deployModelEnv } from '../../src/config.js';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

describeStageTemplate({
  stage: 'deploy-model',
  serviceDir,
  role: {
    allows:
      'the registry reads, the model-, endpoint-config- and endpoint writes of the pipeline, PassRole, alarms, its dead-letter queue, the alert topic and logs',
    statements: [
      {
        Effect: 'Allow',
        Action: ['sagemaker:ListModelPackages', 'sagemaker:DescribeModelPackage'],
        Resource: [arn('sagemaker', 'model-package/mlpipe-dev/*')],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateModel', 'sagemaker:AddTags'],
        Resource: [arn('sagemaker', 'model/mlpipe-dev-model-*')],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpointConfig', 'sagemaker:AddTags'],
        Resource: [arn('sagemaker', 'endpoint-config/mlpipe-dev-endpoint-config-*')],
      },
      {
        Effect: 'Allow',
        Action: [
          'sagemaker:DescribeEndpoint',
          'sagemaker:CreateEndpoint',
          'sagemaker:UpdateEndpoint',
          'sagemaker:DeleteEndpoint',
          'sagemaker:AddTags',
        ],
        Resource: [arn('sagemaker', 'endpoint/mlpipe-dev')],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'],
        Resource: [arn('sagemaker', 'endpoint-config/mlpipe-dev-endpoint-config-*')],
      },
      {
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: [arn('cloudwatch', 'alarm:mlpipe-dev-*')],
      },
      PASS_ROLE,
      sendToDeadLetters('deploy-model'),
      PUBLISH_ALERTS,
    ],
  },
  rules: {
    route: 'Approved and Rejected changes of the group, its endpoint settling, and a 15-minute schedule',
    patterns: [
      'rate(15 minutes)',
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: ['mlpipe-dev'], ModelApprovalStatus: ['Approved', 'Rejected'] },
      },
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Endpoint State Change'],
        detail: {
          EndpointName: ['mlpipe-dev'],
          EndpointStatus: ['IN_SERVICE', 'FAILED', 'UPDATE_ROLLBACK_FAILED'],
        },
      },
    ],
  },
  environment: {
    title: 'decides one deployment at a time, with a plain-string environment of the stage defaults',
    reservedConcurrency: 1,
    variables: {
      PIPELINE_NAME: 'mlpipe-dev',
      MODEL_REGISTRY_NAME: 'mlpipe-dev',
      SAGEMAKER_ROLE: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/mlpipe-dev-sagemaker$/),
      ENDPOINT_NAME: 'mlpipe-dev',
      ENDPOINT_INSTANCE_TYPE: 'ml.m5.large',
      ENDPOINT_INSTANCE_COUNT: '1',
      DEPLOYMENT_TRAFFIC_ROUTING: 'ALL_AT_ONCE',
      ROLLBACK_ALARMS: '',
    },
  },
  deadLetters: {
    gaveUpOn: 'a model package or endpoint state change or a scheduled reconcile',
    consequence: 'endpoint mlpipe-dev may not serve the newest Approved model of mlpipe-dev',
    loadConfig: (variables) => loadConfig(deployModelEnv, variables),
  },
});

describe('Template: deploy-model schedule', () => {
  it('has no schedule at all when it is off: the schedules-off plugin drops it before the framework validates', async () => {
    // The plugin as osls loads it, on a service whose variables are resolved: `off` must be gone by the time
    // the framework validates the configuration (which refuses `off` as a rate), any other rate kept.
    const { default: SchedulesOff } = (await import(
      path.join(serviceDir, '../../tools/serverless/schedules-off/index.cjs')
    )) as { default: new (serverless: unknown) => unknown };
    const seen: unknown[] = [];
    const service = {
      functions: {
        deployModel: { events: [{ eventBridge: {} }, { schedule: { rate: 'off' } }, { schedule: 'OFF' }] },
        other: { events: [{ schedule: { rate: ['rate(5 minutes)'] } }] },
      },
      validate(this: { functions: Record<string, { events: unknown[] }> }) {
        seen.push(...Object.values(this.functions).map((fn) => fn.events));
        return Promise.resolve(this);
      },
    };

    new SchedulesOff({ service });
    await service.validate();

    expect(seen).toEqual([[{ eventBridge: {} }], [{ schedule: { rate: ['rate(5 minutes)'] } }]]);
  });
});
