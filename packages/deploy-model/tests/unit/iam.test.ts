import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  actionsOnAnyResource,
  deadLetters,
  expectedDeadLetters,
  functionRole,
  readPackagedTemplate,
  resourcesOfType,
  roleStatements,
  wildcardActions,
} from '@sagemaker-pipeline/shared/cloudformation';
import { deployModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const fnProperties = template.Resources.DeployModelLambdaFunction?.Properties ?? {};
const statements = roleStatements(functionRole(template, 'DeployModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-deploy-model-dev-deployModel';
const SAGEMAKER = 'arn:aws:sagemaker:us-east-1:123456789012';

describe('Template: deploy-model role', () => {
  it('allows exactly the registry reads, the model-, endpoint-config- and endpoint writes of the pipeline, PassRole, alarms, its dead-letter queue, the alert topic and logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:ListModelPackages', 'sagemaker:DescribeModelPackage'],
        Resource: [`${SAGEMAKER}:model-package/mlpipe-dev/*`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateModel', 'sagemaker:AddTags'],
        Resource: [`${SAGEMAKER}:model/mlpipe-dev-model-*`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpointConfig', 'sagemaker:AddTags'],
        Resource: [`${SAGEMAKER}:endpoint-config/mlpipe-dev-endpoint-config-*`],
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
        Resource: [`${SAGEMAKER}:endpoint/mlpipe-dev`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'],
        Resource: [`${SAGEMAKER}:endpoint-config/mlpipe-dev-endpoint-config-*`],
      },
      {
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms'],
        Resource: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:mlpipe-dev-*'],
      },
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: ['arn:aws:iam::123456789012:role/mlpipe-dev-sagemaker'],
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: ['arn:aws:sqs:us-east-1:123456789012:mlpipe-dev-deploy-model-dlq'],
      },
      {
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: ['arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts'],
      },
    ]);
  });

  it('has no wildcard action and no wildcard resource', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual([]);
  });

  it('is the only role in the template: no unused default role is deployed', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
      'DeployModelIamRoleLambdaExecution',
    ]);
  });
});

describe('Template: deploy-model function', () => {
  it('routes Approved and Rejected changes of the group, its endpoint settling, and a 15-minute schedule', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties);
    expect(rules).toHaveLength(3);
    expect(rules.map((rule) => rule?.EventPattern ?? rule?.ScheduleExpression)).toEqual([
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
    ]);
  });

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

  it('decides one deployment at a time', () => {
    expect(fnProperties.ReservedConcurrentExecutions).toBe(1);
  });

  it('has a plain-string environment with the stage defaults', () => {
    const variables = (fnProperties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      PIPELINE_NAME: 'mlpipe-dev',
      MODEL_REGISTRY_NAME: 'mlpipe-dev',
      SAGEMAKER_ROLE: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/mlpipe-dev-sagemaker$/),
      ENDPOINT_NAME: 'mlpipe-dev',
      ENDPOINT_INSTANCE_TYPE: 'ml.m5.large',
      ENDPOINT_INSTANCE_COUNT: '1',
      DEPLOYMENT_TRAFFIC_ROUTING: 'ALL_AT_ONCE',
      ROLLBACK_ALARMS: '',
    });
    for (const value of Object.values(variables)) expect(typeof value).toBe('string');
  });
});

describe('Template: deploy-model dead letters and alerts', () => {
  const { alarmDescription, ...letters } = deadLetters(template, 'DeployModelLambdaFunction');
  const environment = template.Resources.DeployModelLambdaFunction?.Properties?.Environment as {
    Variables: Record<string, string>;
  };

  it('retries a failed event twice, keeps it at most an hour, then keeps it in its own queue, whose first message alarms the alert topic', () => {
    expect(letters).toEqual(expectedDeadLetters('deploy-model'));
  });

  it('says which function gave up on which events, and how to replay them', () => {
    const description = alarmDescription;
    expect(description).toContain(
      'deploy-model of mlpipe-dev gave up on a model package or endpoint state change or a scheduled reconcile',
    );
    expect(description).toContain(
      'endpoint mlpipe-dev may not serve the newest Approved model of mlpipe-dev',
    );
    expect(description).toContain('/aws/lambda/mlpipe-dev-deploy-model-dev-deployModel');
    expect(description).toContain('pnpm run pipeline replay --queue mlpipe-dev-deploy-model-dlq');
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  it('names the topic it may publish to in ALERT_TOPIC_ARN, which its configuration loads past', () => {
    expect(environment.Variables.ALERT_TOPIC_ARN).toBe(
      'arn:aws:sns:us-east-1:000000000000:mlpipe-dev-alerts',
    );
    expect(() => loadConfig(deployModelEnv, environment.Variables)).not.toThrow();
  });
});
