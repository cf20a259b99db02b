import { fileURLToPath } from 'node:url';
import {
  actionsOnAnyResource,
  functionRole,
  packageTemplateWith,
  readPackagedTemplate,
  resourcesOfType,
  roleStatements,
  wildcardActions,
} from '@sagemaker-pipeline/shared/cloudformation';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const fnProperties = template.Resources.DeployModelLambdaFunction?.Properties ?? {};
const statements = roleStatements(functionRole(template, 'DeployModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-deploy-model-dev-deployModel';
const SAGEMAKER = 'arn:aws:sagemaker:us-east-1:123456789012';

describe('Template: deploy-model role', () => {
  it('allows exactly the registry reads, the model-, endpoint-config- and endpoint writes of the pipeline, PassRole, alarms, its dead-letter queue and logs', () => {
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

  it('has no schedule at all when it is off, and takes another rate as given', () => {
    const packaged = (param: string) =>
      resourcesOfType(packageTemplateWith(serviceDir, [param]), 'AWS::Events::Rule').map(
        ([, rule]) => rule.Properties,
      );

    const off = packaged('reconcileSchedule=off');
    const every5 = packaged('reconcileSchedule=rate(5 minutes)');

    expect(off).toHaveLength(2);
    expect(off.map((rule) => rule?.ScheduleExpression).filter(Boolean)).toEqual([]);
    expect(every5.map((rule) => rule?.ScheduleExpression).filter(Boolean)).toEqual(['rate(5 minutes)']);
  });

  it('retries a failed event twice, then sends it to its own dead-letter queue', () => {
    const [config] = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(config?.[1].Properties).toMatchObject({
      FunctionName: { Ref: 'DeployModelLambdaFunction' },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['DeployModelDeadLetterQueue', 'Arn'] } },
      },
    });
    expect(template.Resources.DeployModelDeadLetterQueue?.Properties).toEqual({
      QueueName: 'mlpipe-dev-deploy-model-dlq',
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
    });
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
