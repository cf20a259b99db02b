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
const statements = roleStatements(functionRole(template, 'RegisterModelLambdaFunction'));
const LOG_GROUP =
  'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/mlpipe-dev-register-model-dev-registerModel';

describe('Template: register-model role', () => {
  it('allows exactly reading and writing evaluations, creating, listing and describing the group packages, and its logs', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents'],
        Resource: [`${LOG_GROUP}:*:*`],
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
    ]);
  });

  it('has no wildcard action, no wildcard resource and no PassRole', () => {
    expect(wildcardActions(statements)).toEqual([]);
    expect(actionsOnAnyResource(statements)).toEqual([]);
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
  it('routes only finished evaluation jobs of the pipeline to the function', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.[1].Properties?.EventPattern).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Processing Job State Change'],
      detail: {
        ProcessingJobStatus: ['Completed', 'Failed', 'Stopped'],
        ProcessingJobName: [{ prefix: 'mlpipe-dev-eval-' }],
      },
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
    });
  });
});
