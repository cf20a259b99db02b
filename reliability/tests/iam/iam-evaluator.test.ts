/**
 * The evaluator the IAM suite relies on, against AWS's documented evaluation logic (IAM User Guide: "Policy
 * evaluation logic", "IAM JSON policy elements: Action / Resource / Condition", "Condition operators").
 */
import { type Decision, evaluate, type IamRequest, type IamStatement } from '../../src/iam-evaluator.js';

const JOB = 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlpipe-dev-train-abc';
const OTHER_JOB = 'arn:aws:sagemaker:us-east-1:000000000000:training-job/otherpipe-dev-x';
const ROLE = 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker';
const BUCKET = 'arn:aws:s3:::mlpipe-dev-000000000000-us-east-1';

const allowJobs: IamStatement = {
  Effect: 'Allow',
  Action: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
  Resource: ['arn:aws:sagemaker:us-east-1:000000000000:training-job/mlpipe-dev-*'],
};
const passRole: IamStatement = {
  Effect: 'Allow',
  Action: ['iam:PassRole'],
  Resource: [ROLE],
  Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
};
const listPrefixes: IamStatement = {
  Effect: 'Allow',
  Action: ['s3:ListBucket'],
  Resource: [BUCKET],
  Condition: { StringLike: { 's3:prefix': ['training-data/*', 'models/*'] } },
};

interface Case {
  rule: string;
  statements: IamStatement[];
  request: IamRequest;
  expected: Decision;
}

const cases: Case[] = [
  {
    rule: 'denies by default when no statement applies',
    statements: [],
    request: { action: 'sagemaker:CreateTrainingJob', resource: JOB },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'allows when an Allow statement matches action and resource',
    statements: [allowJobs],
    request: { action: 'sagemaker:CreateTrainingJob', resource: JOB },
    expected: 'Allowed',
  },
  {
    rule: 'lets an explicit Deny win over an Allow',
    statements: [allowJobs, { Effect: 'Deny', Action: 'sagemaker:*', Resource: '*' }],
    request: { action: 'sagemaker:CreateTrainingJob', resource: JOB },
    expected: 'ExplicitlyDenied',
  },
  {
    rule: 'ignores a Deny whose resource does not match',
    statements: [allowJobs, { Effect: 'Deny', Action: 'sagemaker:*', Resource: OTHER_JOB }],
    request: { action: 'sagemaker:CreateTrainingJob', resource: JOB },
    expected: 'Allowed',
  },
  {
    rule: 'matches actions case-insensitively',
    statements: [allowJobs],
    request: { action: 'SageMaker:createtrainingjob', resource: JOB },
    expected: 'Allowed',
  },
  {
    rule: 'matches a `*` in the action name',
    statements: [{ Effect: 'Allow', Action: 'sagemaker:Describe*', Resource: '*' }],
    request: { action: 'sagemaker:DescribeTrainingJob', resource: JOB },
    expected: 'Allowed',
  },
  {
    rule: 'does not let `Describe*` match another verb',
    statements: [{ Effect: 'Allow', Action: 'sagemaker:Describe*', Resource: '*' }],
    request: { action: 'sagemaker:CreateTrainingJob', resource: JOB },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'does not let an action of one service match another service with a longer prefix',
    statements: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }],
    request: { action: 's3express:GetObject', resource: '*' },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'matches `?` as exactly one character in an action',
    statements: [{ Effect: 'Allow', Action: 'sqs:?eceiveMessage', Resource: '*' }],
    request: { action: 'sqs:ReceiveMessage', resource: '*' },
    expected: 'Allowed',
  },
  {
    rule: 'applies an Allow with NotAction to every other action',
    statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    request: { action: 's3:GetObject', resource: `${BUCKET}/models/x` },
    expected: 'Allowed',
  },
  {
    rule: 'does not apply an Allow with NotAction to the listed actions',
    statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    request: {
      action: 'iam:PassRole',
      resource: ROLE,
      context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'matches resources case-sensitively',
    statements: [allowJobs],
    request: {
      action: 'sagemaker:CreateTrainingJob',
      resource: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/MLPIPE-dev-x',
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'does not match another pipeline under a prefix wildcard',
    statements: [allowJobs],
    request: { action: 'sagemaker:CreateTrainingJob', resource: OTHER_JOB },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'lets a trailing `*` expand beyond a colon (log streams of a log group)',
    statements: [
      {
        Effect: 'Allow',
        Action: 'logs:PutLogEvents',
        Resource: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*:*',
      },
    ],
    request: {
      action: 'logs:PutLogEvents',
      resource:
        'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:log-stream:2026/11/27/[$LATEST]ab',
    },
    expected: 'Allowed',
  },
  {
    rule: 'matches `?` as exactly one character in a resource, never zero',
    statements: [
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:000000000000:q?' },
    ],
    request: { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q' },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'applies NotResource to every resource it does not list',
    statements: [{ Effect: 'Deny', Action: 'sagemaker:*', NotResource: JOB }, allowJobs],
    request: {
      action: 'sagemaker:AddTags',
      resource: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlpipe-dev-y',
    },
    expected: 'ExplicitlyDenied',
  },
  {
    rule: 'authorises an action without resource type against "*", which only a "*" statement matches',
    statements: [allowJobs],
    request: { action: 'sagemaker:CreateTrainingJob', resource: '*' },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'requires a StringEquals condition to match',
    statements: [passRole],
    request: {
      action: 'iam:PassRole',
      resource: ROLE,
      context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'does not apply a positive condition whose key is absent from the request',
    statements: [passRole],
    request: { action: 'iam:PassRole', resource: ROLE },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'reads condition key names case-insensitively and values case-sensitively',
    statements: [passRole],
    request: {
      action: 'iam:PassRole',
      resource: ROLE,
      context: { 'IAM:passedtoservice': 'sagemaker.amazonaws.com' },
    },
    expected: 'Allowed',
  },
  {
    rule: 'applies ...IfExists when the key is absent',
    statements: [
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: ROLE,
        Condition: { StringEqualsIfExists: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
    ],
    request: { action: 'iam:PassRole', resource: ROLE },
    expected: 'Allowed',
  },
  {
    rule: 'ORs the values of one key: StringLike with `*` covers the prefix itself and anything under it',
    statements: [listPrefixes],
    request: { action: 's3:ListBucket', resource: BUCKET, context: { 's3:prefix': 'models/' } },
    expected: 'Allowed',
  },
  {
    rule: 'does not match StringLike when no value matches',
    statements: [listPrefixes],
    request: { action: 's3:ListBucket', resource: BUCKET, context: { 's3:prefix': '' } },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'ANDs the operators of a condition block',
    statements: [
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: '*',
        Condition: {
          ArnEquals: { 'aws:SourceArn': BUCKET },
          StringEquals: { 'aws:SourceAccount': '000000000000' },
        },
      },
    ],
    request: {
      action: 'sqs:SendMessage',
      resource: '*',
      context: { 'aws:SourceArn': BUCKET, 'aws:SourceAccount': '111111111111' },
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'matches a negated operator when the key is absent',
    statements: [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
      },
    ],
    request: { action: 's3:GetObject', resource: `${BUCKET}/models/x` },
    expected: 'ExplicitlyDenied',
  },
  {
    rule: 'matches ArnLike part by part: a `*` in the region does not reach into the account',
    statements: [
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:000000000000:topic' } },
      },
    ],
    request: {
      action: 'sqs:SendMessage',
      resource: '*',
      context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:000000000000:topic' },
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'compares Bool as "true" / "false" whatever the type (the bucket policy TLS deny)',
    statements: [
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
    request: {
      action: 's3:GetObject',
      resource: `${BUCKET}/models/x`,
      context: { 'aws:SecureTransport': false },
    },
    expected: 'ExplicitlyDenied',
  },
  {
    rule: 'matches Null "true" only when the key is absent',
    statements: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { Null: { 'aws:SourceVpce': 'true' } },
      },
    ],
    request: {
      action: 's3:GetObject',
      resource: `${BUCKET}/models/x`,
      context: { 'aws:SourceVpce': 'vpce-1' },
    },
    expected: 'ImplicitlyDenied',
  },
  {
    rule: 'allows a request on several resources only when each is allowed',
    statements: [
      {
        Effect: 'Allow',
        Action: 'sagemaker:CreateEndpoint',
        Resource: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlpipe-dev',
      },
    ],
    request: {
      action: 'sagemaker:CreateEndpoint',
      resource: [
        'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlpipe-dev',
        'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/mlpipe-dev-x',
      ],
    },
    expected: 'ImplicitlyDenied',
  },
];

describe('Class: IAM evaluator', () => {
  it.each(cases)('$rule', ({ statements, request, expected }) => {
    // Act
    const decision = evaluate(statements, request);

    // Assess
    expect(decision).toBe(expected);
  });

  it('throws on an operator it does not implement instead of guessing', () => {
    // Prepare
    const statements: IamStatement[] = [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { NumericLessThan: { 's3:max-keys': '10' } },
      },
    ];

    // Act / Assess
    expect(() =>
      evaluate(statements, { action: 's3:GetObject', resource: '*', context: { 's3:max-keys': '5' } }),
    ).toThrow('Condition operator not supported: NumericLessThan');
  });

  it('throws on policy variables and set operators', () => {
    // Prepare
    const variable: IamStatement = {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `${BUCKET}/\${aws:username}/*`,
    };
    const setOperator: IamStatement = {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } },
    };

    // Act / Assess
    expect(() => evaluate([variable], { action: 's3:GetObject', resource: `${BUCKET}/a/b` })).toThrow(
      'Policy variables are not supported',
    );
    expect(() =>
      evaluate([setOperator], { action: 's3:GetObject', resource: '*', context: { 'aws:TagKeys': 'a' } }),
    ).toThrow('Set operators are not supported');
  });
});
