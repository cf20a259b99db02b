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
const statements = roleStatements(functionRole(template, 'EvaluateModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-evaluate-model-dev-evaluateModel';

describe('Template: evaluate-model role', () => {
  it('allows exactly DescribeTrainingJob on the train- and retrain- jobs of the pipeline, CreateProcessingJob and AddTags on its evaluation jobs, PassRole and its logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
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
    ]);
  });

  it('has no wildcard action and no wildcard resource', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual([]);
  });

  it('is the only role in the template: no unused default role is deployed', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id)).toEqual([
      'EvaluateModelIamRoleLambdaExecution',
    ]);
  });
});

describe('Template: evaluate-model function and rule', () => {
  it("routes only finished training jobs of the pipeline to the function, by the exact train- and retrain- prefixes (EventBridge ORs them), not another pipeline's", () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties?.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Training Job State Change'],
      detail: {
        TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
        TrainingJobName: [{ prefix: 'mlpipe-dev-train-' }, { prefix: 'mlpipe-dev-retrain-' }],
      },
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
    });
    for (const value of Object.values(variables)) expect(typeof value).toBe('string');
  });
});
