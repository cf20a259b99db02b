/**
 * The service authorization data check, on statements it must refuse and statements it must accept, so that the
 * roles suite's "no problem" means something.
 */
import type { IamStatement } from '../../src/iam-evaluator.js';
import { checkRoleAgainstServiceData, resourceMatchesArnFormat } from '../../src/iam-service-data.js';

const JOBS = 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlpipe-dev-*';
const allow = (
  Action: string[],
  Resource: string[],
  Condition?: IamStatement['Condition'],
): IamStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

async function problemsOf(statements: IamStatement[]) {
  return (await checkRoleAgainstServiceData('role', statements)).problems;
}

describe('Function: checkRoleAgainstServiceData', () => {
  it('accepts scoped actions, "*" on an action without resource type, and their own condition keys', async () => {
    // Act
    const report = await checkRoleAgainstServiceData('role', [
      allow(['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'], [JOBS]),
      allow(['sagemaker:ListTrainingJobs'], ['*']),
      allow(['iam:PassRole'], ['arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker'], {
        StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
      }),
      allow(['s3:ListBucket'], ['arn:aws:s3:::bucket'], { StringLike: { 's3:prefix': 'models/*' } }),
      allow(['sqs:SendMessage'], ['arn:aws:sqs:us-east-1:000000000000:q'], {
        ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::bucket' },
      }),
    ]);

    // Assess
    expect(report.problems).toEqual([]);
    expect(report.wildcards).toEqual([
      expect.objectContaining({ action: 'sagemaker:ListTrainingJobs', resource: '*' }),
    ]);
    expect(report.actions).toContain('sagemaker:createtrainingjob');
  });

  it('refuses an action that does not exist', async () => {
    // Act / Assess
    expect(await problemsOf([allow(['sagemaker:CreateTrainingJobs'], [JOBS])])).toEqual([
      'role: sagemaker:CreateTrainingJobs: no such action in the service authorization data',
    ]);
  });

  it('refuses a wildcard action', async () => {
    // Act / Assess
    expect(await problemsOf([allow(['sagemaker:Create*'], [JOBS])])).toEqual([
      'role: sagemaker:Create*: wildcard action; list each action',
    ]);
  });

  it('refuses "*" on an action that has resource types', async () => {
    // Act
    const problems = await problemsOf([allow(['s3:GetObject'], ['*'])]);

    // Assess
    expect(problems).toEqual([
      expect.stringContaining('s3:GetObject on "*": the data gives it resource types'),
    ]);
  });

  it('refuses a scoped ARN on an action without resource type', async () => {
    // Act
    const problems = await problemsOf([allow(['sagemaker:ListTrainingJobs'], [JOBS])]);

    // Assess
    expect(problems).toEqual([expect.stringContaining('the action has no resource type')]);
  });

  it('refuses an ARN of another resource type than the action takes', async () => {
    // Act
    const problems = await problemsOf([
      allow(
        ['sagemaker:CreateTrainingJob'],
        ['arn:aws:sagemaker:us-east-1:000000000000:processing-job/mlpipe-dev-*'],
      ),
    ]);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining("matches none of its resource types' ARN formats")]),
    );
  });

  it('refuses a wildcard in the account of an ARN', async () => {
    // Act
    const problems = await problemsOf([
      allow(['sagemaker:CreateTrainingJob'], ['arn:aws:sagemaker:us-east-1:*:training-job/mlpipe-dev-*']),
    ]);

    // Assess
    expect(problems).toEqual([
      expect.stringContaining('wildcard in the partition, service, region or account'),
    ]);
  });

  it('refuses a grant that misses a required resource type of the action', async () => {
    // Act
    const problems = await problemsOf([
      allow(['sagemaker:CreateEndpoint'], ['arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlpipe-dev']),
    ]);

    // Assess
    expect(problems).toEqual([expect.stringContaining('its required resource type endpoint-config')]);
  });

  it("refuses a condition key that is not the action's", async () => {
    // Act
    const problems = await problemsOf([
      allow(['iam:PassRole'], ['arn:aws:iam::000000000000:role/r'], {
        StringLike: { 's3:prefix': 'models/*' },
      }),
    ]);

    // Assess
    expect(problems).toEqual([
      expect.stringContaining("condition key s3:prefix is not one of iam:PassRole's"),
    ]);
  });

  it('refuses a global condition key that does not exist', async () => {
    // Act
    const problems = await problemsOf([
      allow(['sagemaker:ListTrainingJobs'], ['*'], { Bool: { 'aws:SecureTransports': 'true' } }),
    ]);

    // Assess
    expect(problems).toEqual([
      expect.stringContaining('global condition key aws:SecureTransports does not exist'),
    ]);
  });

  it('accepts a reviewed exception for "*" only while every resource type of the action stays optional', async () => {
    // Prepare
    const statement = allow(['s3:GetObject'], ['*']);

    // Act
    const optional = await checkRoleAgainstServiceData(
      'role',
      [statement],
      [{ action: 's3:GetObject', resourceTypesNotUsed: ['accesspointobject', 'object'], reason: 'test' }],
    );
    const partial = await checkRoleAgainstServiceData(
      'role',
      [statement],
      [{ action: 's3:GetObject', resourceTypesNotUsed: ['object'], reason: 'test' }],
    );
    const required = await checkRoleAgainstServiceData(
      'role',
      [allow(['sagemaker:CreateTrainingJob'], ['*'])],
      [{ action: 'sagemaker:CreateTrainingJob', resourceTypesNotUsed: ['training-job'], reason: 'test' }],
    );

    // Assess
    expect(optional.problems).toEqual([]);
    expect(optional.wildcards).toEqual([expect.objectContaining({ why: expect.stringContaining('test') })]);
    expect(partial.problems).toEqual([
      expect.stringContaining('does not say why accesspointobject is not used'),
    ]);
    expect(required.problems).toEqual([expect.stringContaining('makes training-job required')]);
  });
});

/** The data's ARN formats, written with `{Variable}` here for `${Variable}` (`$$` a literal `$`, `$&` the brace). */
const arnFormat = (text: string) => text.replace(/\{/g, '$$$&');

describe('Function: resourceMatchesArnFormat', () => {
  it.each([
    [JOBS, 'arn:{Partition}:sagemaker:{Region}:{Account}:training-job/{TrainingJobName}', true],
    [
      'arn:aws:logs:us-east-1:0:log-group:/aws/lambda/fn:*:*',
      'arn:{Partition}:logs:{Region}:{Account}:log-group:{LogGroupName}:log-stream:{LogStreamName}',
      true,
    ],
    ['arn:aws:s3:::bucket/models/*', 'arn:{Partition}:s3:::{BucketName}/{ObjectName}', true],
    ['arn:aws:s3:::bucket', 'arn:{Partition}:s3:::{BucketName}/{ObjectName}', false],
    [
      'arn:aws:sagemaker:us-east-1:0:endpoint/x',
      'arn:{Partition}:sagemaker:{Region}:{Account}:endpoint-config/{Name}',
      false,
    ],
    ['arn:aws:sqs:us-east-1:0:', 'arn:{Partition}:sqs:{Region}:{Account}:{QueueName}', false],
    [
      'arn:aws:sagemaker:us-east-1:0:processing-job/x-*',
      'arn:{Partition}:sagemaker:{Region}:{Account}:training-job/{TrainingJobName}',
      false,
    ],
  ])('matches %s against %s: %s', (resource, format, expected) => {
    // Act / Assess
    expect(resourceMatchesArnFormat(resource, arnFormat(format))).toBe(expected);
  });
});
