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
import { evaluateModelEnv, loadConfig } from '@sagemaker-pipeline/shared/config';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const statements = roleStatements(functionRole(template, 'EvaluateModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-evaluate-model-dev-evaluateModel';

describe('Template: evaluate-model role', () => {
  it('allows exactly the sweep listings, DescribeTrainingJob on the train- and retrain- jobs of the pipeline, CreateProcessingJob and AddTags on its evaluation jobs, PassRole, its dead-letter queue, the alert topic and its logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:ListTrainingJobs', 'sagemaker:ListProcessingJobs'],
        Resource: ['*'],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeTrainingJob'],
        Resource: [
          'arn:aws:sagemaker:us-east-1:123456789012:training-job/mlpipe-dev-train-*',
          'arn:aws:sagemaker:us-east-1:123456789012:training-job/mlpipe-dev-retrain-*',
        ],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateProcessingJob', 'sagemaker:AddTags'],
        Resource: ['arn:aws:sagemaker:us-east-1:123456789012:processing-job/mlpipe-dev-eval-*'],
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
        Resource: ['arn:aws:sqs:us-east-1:123456789012:mlpipe-dev-evaluate-model-dlq'],
      },
      {
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: ['arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts'],
      },
    ]);
  });

  it('has no wildcard action, and "*" only for the two List actions, which have no resource type', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual([
      'sagemaker:ListTrainingJobs',
      'sagemaker:ListProcessingJobs',
    ]);
  });

  it('is the only role in the template: no unused default role is deployed', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
      'EvaluateModelIamRoleLambdaExecution',
    ]);
  });
});

describe('Template: evaluate-model function and rule', () => {
  it("routes only finished training jobs of the pipeline to the function, by the exact train- and retrain- prefixes (EventBridge ORs them), not another pipeline's, and runs its sweep hourly", () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties);
    expect(rules.map((rule) => rule?.EventPattern ?? rule?.ScheduleExpression)).toEqual([
      'rate(1 hour)',
      {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Training Job State Change'],
        detail: {
          TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
          TrainingJobName: [{ prefix: 'mlpipe-dev-train-' }, { prefix: 'mlpipe-dev-retrain-' }],
        },
      },
    ]);
  });

  it('has no sweep at all when sweepSchedule is off, and takes another rate and lookback as given', () => {
    const packaged = (...params: string[]) => {
      const packagedTemplate = packageTemplateWith(serviceDir, params);
      const rules = resourcesOfType(packagedTemplate, 'AWS::Events::Rule');
      const environment = packagedTemplate.Resources.EvaluateModelLambdaFunction?.Properties?.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      return {
        schedules: rules.map(([, rule]) => rule.Properties?.ScheduleExpression).filter(Boolean),
        rules: rules.length,
        lookback: environment?.Variables.SWEEP_LOOKBACK_HOURS,
      };
    };

    expect(packaged('sweepSchedule=off')).toEqual({ schedules: [], rules: 1, lookback: '24' });
    expect(packaged('sweepSchedule=rate(15 minutes)', 'sweepLookbackHours=6')).toEqual({
      schedules: ['rate(15 minutes)'],
      rules: 2,
      lookback: '6',
    });
  });

  it('gives the function plain-string configuration that names the pipeline resources', () => {
    const environment = template.Resources.EvaluateModelLambdaFunction?.Properties?.Environment as
      | { Variables: Record<string, unknown> }
      | undefined;
    const variables = environment?.Variables ?? {};
    expect(variables).toMatchObject({
      PIPELINE_NAME: 'mlpipe-dev',
      SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
      EVALUATION_DATA_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluation-data',
      S3_EVALUATION_RESULTS_URI: 's3://mlpipe-dev-000000000000-us-east-1/evaluations',
      EVALUATION_IMAGE_URI: '',
      EVALUATION_INSTANCE_TYPE: 'ml.m5.large',
      SWEEP_LOOKBACK_HOURS: '24',
    });
    for (const value of Object.values(variables)) expect(typeof value).toBe('string');
  });
});

describe('Template: evaluate-model dead letters and alerts', () => {
  const { alarmDescription, ...letters } = deadLetters(template, 'EvaluateModelLambdaFunction');
  const environment = template.Resources.EvaluateModelLambdaFunction?.Properties?.Environment as {
    Variables: Record<string, string>;
  };

  it('retries a failed event twice, keeps it at most an hour, then keeps it in its own queue, whose first message alarms the alert topic', () => {
    expect(letters).toEqual(expectedDeadLetters('evaluate-model'));
  });

  it('says which function gave up on which events, and how to replay them', () => {
    const description = alarmDescription;
    expect(description).toContain('evaluate-model of mlpipe-dev gave up on a training job state change');
    expect(description).toContain('that training job was not evaluated');
    expect(description).toContain('/aws/lambda/mlpipe-dev-evaluate-model-dev-evaluateModel');
    expect(description).toContain('pnpm run pipeline replay --queue mlpipe-dev-evaluate-model-dlq');
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  it('names the topic it may publish to in ALERT_TOPIC_ARN, which its configuration loads past', () => {
    expect(environment.Variables.ALERT_TOPIC_ARN).toBe(
      'arn:aws:sns:us-east-1:000000000000:mlpipe-dev-alerts',
    );
    expect(() => loadConfig(evaluateModelEnv, environment.Variables)).not.toThrow();
  });
});
