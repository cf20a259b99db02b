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

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));
const template = readPackagedTemplate(serviceDir);
const statements = roleStatements(functionRole(template, 'TriggerTrainingLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-trigger-training-dev-triggerTraining';

describe('Template: trigger-training role', () => {
  it('allows exactly CreateTrainingJob and AddTags on the train- jobs of the pipeline, PassRole, its dead-letter queue and its logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
        Resource: ['arn:aws:sagemaker:us-east-1:123456789012:training-job/mlpipe-dev-train-*'],
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
        Resource: ['arn:aws:sqs:us-east-1:123456789012:mlpipe-dev-trigger-training-dlq'],
      },
    ]);
  });

  it('has no wildcard action and no wildcard resource', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual([]);
  });

  it('is the only role in the template: no unused default role is deployed', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
      'TriggerTrainingIamRoleLambdaExecution',
    ]);
  });
});

describe('Template: trigger-training rule', () => {
  it('routes only successful pushes to the pipeline repository to the function', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties?.EventPattern).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['mlpipe-dev'] },
    });
  });
});

describe('Template: trigger-training dead letters and alerts', () => {
  const { alarmDescription, ...letters } = deadLetters(template, 'TriggerTrainingLambdaFunction');

  it('retries a failed event twice, keeps it at most an hour, then keeps it in its own queue, whose first message alarms the alert topic', () => {
    expect(letters).toEqual(expectedDeadLetters('trigger-training'));
  });

  it('says which function gave up on which events, and how to replay them', () => {
    const description = alarmDescription;
    expect(description).toContain('trigger-training of mlpipe-dev gave up on an image push');
    expect(description).toContain('no training job was started for that image');
    expect(description).toContain('/aws/lambda/mlpipe-dev-trigger-training-dev-triggerTraining');
    expect(description).toContain('pnpm run pipeline replay --queue mlpipe-dev-trigger-training-dlq');
    expect(description.length).toBeLessThanOrEqual(1024);
  });
});
