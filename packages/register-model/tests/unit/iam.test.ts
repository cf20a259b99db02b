import { fileURLToPath } from 'node:url';
import {
  actionsOnAnyResource,
  deadLetters,
  expectedDeadLetters,
  functionRole,
  packageTemplateWith,
  readPackagedTemplate,
  resourcesOfType,
  roleStatements,
  wildcardActions,
} from '@sagemaker-pipeline/shared/cloudformation';
import { loadConfig, registerModelEnv } from '@sagemaker-pipeline/shared/config';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const statements = roleStatements(functionRole(template, 'RegisterModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-register-model-dev-registerModel';

describe('Template: register-model role', () => {
  it('allows exactly listing and describing its evaluation jobs, reading and writing evaluations, creating, listing and describing the group packages, its dead-letter queue, the alert topic and its logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
      },
      { Effect: 'Allow', Action: ['sagemaker:ListProcessingJobs'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeProcessingJob'],
        Resource: ['arn:aws:sagemaker:us-east-1:123456789012:processing-job/mlpipe-dev-eval-*'],
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
        Resource: ['arn:aws:sagemaker:us-east-1:123456789012:model-package/mlpipe-dev/*'],
      },
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: ['arn:aws:sqs:us-east-1:123456789012:mlpipe-dev-register-model-dlq'],
      },
      {
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: ['arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts'],
      },
    ]);
  });

  it('has no wildcard action, "*" only for ListProcessingJobs, which has no resource type, and no PassRole', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual(['sagemaker:ListProcessingJobs']);
    expect(
      statements.flatMap((statement) => statement.Action).filter((action) => action.startsWith('iam:')),
    ).toEqual([]);
  });

  it('is the only role in the template: no unused default role is deployed', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
      'RegisterModelIamRoleLambdaExecution',
    ]);
  });
});

describe('Template: register-model function and rule', () => {
  it('routes only finished evaluation jobs of the pipeline to the function, and runs its sweep hourly', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties);
    expect(rules.map((rule) => rule?.EventPattern ?? rule?.ScheduleExpression)).toEqual([
      'rate(1 hour)',
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Processing Job State Change'],
        detail: {
          ProcessingJobStatus: ['Completed', 'Failed', 'Stopped'],
          ProcessingJobName: [{ prefix: 'mlpipe-dev-eval-' }],
        },
      },
    ]);
  });

  it('has no sweep at all when sweepSchedule is off, and takes another rate and lookback as given', () => {
    const packaged = (...params: string[]) => {
      const packagedTemplate = packageTemplateWith(serviceDir, params);
      const rules = resourcesOfType(packagedTemplate, 'AWS::Events::Rule');
      const environment = packagedTemplate.Resources.RegisterModelLambdaFunction?.Properties?.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      return {
        schedules: rules.map(([, rule]) => rule.Properties?.ScheduleExpression).filter(Boolean),
        rules: rules.length,
        lookback: environment?.Variables.SWEEP_LOOKBACK_HOURS,
      };
    };

    expect(packaged('sweepSchedule=off')).toEqual({ schedules: [], rules: 1, lookback: '24' });
    expect(packaged('sweepSchedule=rate(6 hours)', 'sweepLookbackHours=48')).toEqual({
      schedules: ['rate(6 hours)'],
      rules: 2,
      lookback: '48',
    });
  });

  it('runs one gate decision at a time with the default gate configuration as plain strings', () => {
    const properties = template.Resources.RegisterModelLambdaFunction?.Properties ?? {};
    const environment = properties.Environment as { Variables: Record<string, unknown> } | undefined;
    expect(properties.ReservedConcurrentExecutions).toBe(1);
    expect(environment?.Variables).toMatchObject({
      PIPELINE_NAME: 'mlpipe-dev',
      MODEL_REGISTRY_NAME: 'mlpipe-dev',
      S3_EVALUATION_RESULTS_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluations',
      METRIC_PATH: 'multiclass_classification_metrics.accuracy.value',
      METRIC_THRESHOLD: '0.8',
      METRIC_DIRECTION: 'higher',
      MIN_IMPROVEMENT: '0',
      MANUAL_APPROVAL: 'false',
      SWEEP_LOOKBACK_HOURS: '24',
    });
  });
});

describe('Template: register-model dead letters and alerts', () => {
  const { alarmDescription, ...letters } = deadLetters(template, 'RegisterModelLambdaFunction');
  const environment = template.Resources.RegisterModelLambdaFunction?.Properties?.Environment as {
    Variables: Record<string, string>;
  };

  it('retries a failed event twice, keeps it at most an hour, then keeps it in its own queue, whose first message alarms the alert topic', () => {
    expect(letters).toEqual(expectedDeadLetters('register-model'));
  });

  it('says which function gave up on which events, and how to replay them', () => {
    const description = alarmDescription;
    expect(description).toContain('register-model of mlpipe-dev gave up on an evaluation job state change');
    expect(description).toContain('its model was neither registered nor rejected');
    expect(description).toContain('/aws/lambda/mlpipe-dev-register-model-dev-registerModel');
    expect(description).toContain('pnpm run pipeline replay --queue mlpipe-dev-register-model-dlq');
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  it('names the topic it may publish to in ALERT_TOPIC_ARN, which its configuration loads past', () => {
    expect(environment.Variables.ALERT_TOPIC_ARN).toBe(
      'arn:aws:sns:us-east-1:000000000000:mlpipe-dev-alerts',
    );
    expect(() => loadConfig(registerModelEnv, environment.Variables)).not.toThrow();
  });
});
