import { fileURLToPath } from 'node:url';
import {
  actionsOnAnyResource,
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
  it('allows exactly CreateTrainingJob and AddTags on the train- jobs of the pipeline, PassRole and its logs', () => {
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
