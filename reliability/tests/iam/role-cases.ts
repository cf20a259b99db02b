import { pipelineNames } from '@sagemaker-pipeline/shared/contracts';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import { DEPLOY_PARAMETERS, packagedTemplates, resolveValue } from '../../src/cfn-templates.js';
import type { IamRequest } from '../../src/iam-evaluator.js';
import { type TemplateRole, templateRoles } from '../../src/iam-roles.js';
import type { WildcardException } from '../../src/iam-service-data.js';

export const PIPELINE = 'mlpipe-dev';
export const OTHER = 'otherpipe-dev';
/** A pipeline whose name extends ours: its names start with `mlpipe-dev-` too. */
export const EXTENDING = `${PIPELINE}-2`;
export const ACCOUNT = DEPLOY_PARAMETERS['AWS::AccountId'] as string;
export const REGION = DEPLOY_PARAMETERS['AWS::Region'] as string;

export const templates = packagedTemplates();
export const roles = templates.flatMap((packaged) => templateRoles(packaged));
export const infra = templates.find(({ service }) => service === 'infra')?.template;
if (!infra) throw new Error('No packaged infra template');
export const BUCKET = resolveValue(infra.Resources.PipelineBucket?.Properties?.BucketName, infra);
export const OTHER_BUCKET = BUCKET.replace(PIPELINE, OTHER);

/**
 * `*` on an action whose resource types are all optional, each checked against the data by the service data
 * check (it fails if a listed type becomes required or a new type appears).
 */
export const WILDCARD_EXCEPTIONS: WildcardException[] = [
  {
    action: 'cloudwatch:PutMetricData',
    resourceTypesNotUsed: ['dataset'],
    reason:
      'the SageMaker containers publish with PutMetricData naming no CloudWatch dataset, so their requests carry no resource and only "*" matches; the cloudwatch:namespace condition limits them to /aws/sagemaker/*',
  },
];

/**
 * Granted to every function by serverless with its log permissions, but never called: each template creates
 * the function's log group itself (asserted below), and the grant's `log-group:<name>:*:*` scope could not
 * match a CreateLogGroup request anyway.
 */
export const FUNCTION_GRANTS_NOT_CALLED: Record<string, string> = {
  'logs:createloggroup': 'the template creates the log group (AWS::Logs::LogGroup)',
};

export const sagemaker = (path: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${path}`;
export const object = (key: string, bucket = BUCKET) => `arn:aws:s3:::${bucket}/${key}`;
export const bucketArn = (bucket = BUCKET) => `arn:aws:s3:::${bucket}`;
export const iamRole = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const queue = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
export const topic = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
export const logStream = (group: string, stream = '2026/11/27/[$LATEST]0123456789abcdef') =>
  `${logGroup(group)}:log-stream:${stream}`;
export const toSageMaker = { 'iam:PassedToService': 'sagemaker.amazonaws.com' };

// Names as the handlers derive them (shared/src/naming.ts).
export const TRAINING_JOB = sagemaker(
  `training-job/${resourceName(PIPELINE, 'train', `${PIPELINE}@sha256:abc`)}`,
);
export const RETRAINING_JOB = sagemaker(`training-job/${resourceName(PIPELINE, 'retrain', 'batch-1')}`);
export const EVALUATION_JOB = sagemaker(
  `processing-job/${resourceName(PIPELINE, 'eval', 'mlpipe-dev-train-abc')}`,
);
export const MODEL_PACKAGE = sagemaker(`model-package/${PIPELINE}/3`);
export const MODEL = sagemaker(`model/${resourceName(PIPELINE, 'model', `${PIPELINE}/3`)}`);
export const ENDPOINT_CONFIG = sagemaker(
  `endpoint-config/${resourceName(PIPELINE, 'endpoint-config', `${PIPELINE}/3`)}`,
);
export const ENDPOINT = sagemaker(`endpoint/${PIPELINE}`);
export const SAGEMAKER_ROLE = iamRole(`${PIPELINE}-sagemaker`);
export const ALERTS = topic(`${PIPELINE}-alerts`);
/** The dead-letter queues of the pipeline: one per asynchronously invoked function, and the retrain queue's. */
export const DEAD_LETTER_QUEUES = Object.values(pipelineNames({ stage: 'dev' }).deadLetterQueues);
// The same resources of the pipeline whose name extends ours.
export const EXTENDING_TRAINING_JOB = sagemaker(
  `training-job/${resourceName(EXTENDING, 'train', `${EXTENDING}@sha256:abc`)}`,
);
export const EXTENDING_RETRAINING_JOB = sagemaker(
  `training-job/${resourceName(EXTENDING, 'retrain', 'batch-1')}`,
);
export const EXTENDING_EVALUATION_JOB = sagemaker(
  `processing-job/${resourceName(EXTENDING, 'eval', 'mlpipe-dev-2-train-abc')}`,
);
export const EXTENDING_MODEL = sagemaker(`model/${resourceName(EXTENDING, 'model', `${EXTENDING}/3`)}`);
export const EXTENDING_ENDPOINT_CONFIG = sagemaker(
  `endpoint-config/${resourceName(EXTENDING, 'endpoint-config', `${EXTENDING}/3`)}`,
);

export interface Case {
  why: string;
  request: IamRequest;
}

export interface RoleTable {
  allowed: Case[];
  denied: Case[];
}

export const ok = (
  why: string,
  action: string,
  resource: IamRequest['resource'],
  context?: IamRequest['context'],
): Case => ({
  why,
  request: { action, resource, ...(context ? { context } : {}) },
});

/** What every Lambda function role does: write its own function's logs. */
export function ownLogs(role: TemplateRole): Case[] {
  return role.functions.flatMap((fn) => [
    ok('opens a log stream of its function', 'logs:CreateLogStream', logStream(`/aws/lambda/${fn}`)),
    ok('writes its function logs', 'logs:PutLogEvents', logStream(`/aws/lambda/${fn}`)),
  ]);
}

/** No function writes another function's logs. */
export function otherFunctionsLogs(role: TemplateRole): Case[] {
  return roles
    .flatMap((other) => other.functions)
    .filter((fn) => !role.functions.includes(fn))
    .map((fn) => ok(`writes the logs of ${fn}`, 'logs:PutLogEvents', logStream(`/aws/lambda/${fn}`)));
}

/** PassRole, for the roles that start SageMaker work: only the pipeline's role, only to SageMaker. */
export const PASS_ROLE_ALLOWED = ok(
  'passes the pipeline role to SageMaker',
  'iam:PassRole',
  SAGEMAKER_ROLE,
  toSageMaker,
);

/** A function sends its failed events to its own dead-letter queue: `<role name>-dlq`. */
export const ownDeadLetters = (role: TemplateRole): Case =>
  ok('sends a failed event to its dead-letter queue', 'sqs:SendMessage', queue(`${role.roleName}-dlq`));

export const PUBLISHES_ALERTS = ok("publishes an alert to the pipeline's topic", 'sns:Publish', ALERTS);

/** What no role may do, whatever its job. */
export function neverNeeded(role: TemplateRole): Case[] {
  const kind = role.roleName.slice(PIPELINE.length + 1);
  return [
    ...DEAD_LETTER_QUEUES.filter((name) => name !== `${role.roleName}-dlq`).map((name) =>
      ok(`sends to a dead-letter queue not its own (${name})`, 'sqs:SendMessage', queue(name)),
    ),
    ok(
      `sends to the dead-letter queue of ${EXTENDING}'s ${kind}`,
      'sqs:SendMessage',
      queue(`${EXTENDING}-${kind}-dlq`),
    ),
    ok("sends to another pipeline's dead-letter queue", 'sqs:SendMessage', queue(`${OTHER}-${kind}-dlq`)),
    ok('reads the failed events back', 'sqs:ReceiveMessage', queue(`${role.roleName}-dlq`)),
    ok('purges its dead-letter queue', 'sqs:PurgeQueue', queue(`${role.roleName}-dlq`)),
    ok(`publishes to the alert topic of ${EXTENDING}`, 'sns:Publish', topic(`${EXTENDING}-alerts`)),
    ok("publishes to another pipeline's alert topic", 'sns:Publish', topic(`${OTHER}-alerts`)),
    ok(
      'publishes to a topic whose name only starts like the alert topic',
      'sns:Publish',
      topic(`${PIPELINE}-alerts-copy`),
    ),
    ok('subscribes to the alert topic', 'sns:Subscribe', ALERTS),
    ok('changes the alert topic policy', 'sns:SetTopicAttributes', ALERTS),
    ok('deletes the alert topic', 'sns:DeleteTopic', ALERTS),
    ok(
      'deletes a dead-letter queue alarm',
      'cloudwatch:DeleteAlarms',
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PIPELINE}-${kind}-dlq-not-empty`,
    ),
    ok('passes the pipeline role to another service', 'iam:PassRole', SAGEMAKER_ROLE, {
      'iam:PassedToService': 'ec2.amazonaws.com',
    }),
    ok('passes the pipeline role to Lambda', 'iam:PassRole', SAGEMAKER_ROLE, {
      'iam:PassedToService': 'lambda.amazonaws.com',
    }),
    ok("passes another pipeline's role", 'iam:PassRole', iamRole(`${OTHER}-sagemaker`), toSageMaker),
    ok(
      'passes a role whose name only starts like the pipeline role',
      'iam:PassRole',
      iamRole(`${PIPELINE}-sagemaker-admin`),
      toSageMaker,
    ),
    ok('passes its own role', 'iam:PassRole', iamRole(role.roleName), toSageMaker),
    ok('passes an administrator role', 'iam:PassRole', iamRole('Admin'), toSageMaker),
    ok('creates a role', 'iam:CreateRole', iamRole(`${PIPELINE}-x`)),
    ok('edits the pipeline role', 'iam:PutRolePolicy', SAGEMAKER_ROLE),
    ok('attaches a policy to the pipeline role', 'iam:AttachRolePolicy', SAGEMAKER_ROLE),
    ok('assumes the pipeline role', 'sts:AssumeRole', SAGEMAKER_ROLE),
    ok(
      "reads another pipeline's training data",
      's3:GetObject',
      object('training-data/penguins.csv', OTHER_BUCKET),
    ),
    ok(
      "reads another pipeline's models",
      's3:GetObject',
      object('models/x/output/model.tar.gz', OTHER_BUCKET),
    ),
    ok(
      'reads a bucket whose name only starts like the pipeline bucket',
      's3:GetObject',
      object('models/x', `${BUCKET}-copy`),
    ),
    ok(
      "writes another pipeline's evaluations",
      's3:PutObject',
      object('evaluations/x/evaluation.json', OTHER_BUCKET),
    ),
    ok("lists another pipeline's bucket", 's3:ListBucket', bucketArn(OTHER_BUCKET), {
      's3:prefix': 'training-data/',
    }),
    ok('deletes a model artifact', 's3:DeleteObject', object('models/x/output/model.tar.gz')),
    ok('changes the bucket policy', 's3:PutBucketPolicy', bucketArn()),
    ok('deletes the bucket', 's3:DeleteBucket', bucketArn()),
    ok(
      "starts another pipeline's training job",
      'sagemaker:CreateTrainingJob',
      sagemaker(`training-job/${OTHER}-x`),
    ),
    ok(
      "describes another pipeline's training job",
      'sagemaker:DescribeTrainingJob',
      sagemaker(`training-job/${OTHER}-x`),
    ),
    ok(
      `starts a training job of ${EXTENDING}, whose names start like ours`,
      'sagemaker:CreateTrainingJob',
      EXTENDING_TRAINING_JOB,
    ),
    ok(`starts a retraining job of ${EXTENDING}`, 'sagemaker:CreateTrainingJob', EXTENDING_RETRAINING_JOB),
    ok(`tags a training job of ${EXTENDING}`, 'sagemaker:AddTags', EXTENDING_TRAINING_JOB),
    ok(`describes a training job of ${EXTENDING}`, 'sagemaker:DescribeTrainingJob', EXTENDING_TRAINING_JOB),
    ok(
      `describes a retraining job of ${EXTENDING}`,
      'sagemaker:DescribeTrainingJob',
      EXTENDING_RETRAINING_JOB,
    ),
    ok(`starts an evaluation of ${EXTENDING}`, 'sagemaker:CreateProcessingJob', EXTENDING_EVALUATION_JOB),
    ok(`tags an evaluation of ${EXTENDING}`, 'sagemaker:AddTags', EXTENDING_EVALUATION_JOB),
    ok(`creates a model of ${EXTENDING}`, 'sagemaker:CreateModel', EXTENDING_MODEL),
    ok(`tags a model of ${EXTENDING}`, 'sagemaker:AddTags', EXTENDING_MODEL),
    ok(
      `creates an endpoint config of ${EXTENDING}`,
      'sagemaker:CreateEndpointConfig',
      EXTENDING_ENDPOINT_CONFIG,
    ),
    ok(`tags an endpoint config of ${EXTENDING}`, 'sagemaker:AddTags', EXTENDING_ENDPOINT_CONFIG),
    ok(`updates the endpoint to a config of ${EXTENDING}`, 'sagemaker:UpdateEndpoint', [
      ENDPOINT,
      EXTENDING_ENDPOINT_CONFIG,
    ]),
    ok(`creates the endpoint on a config of ${EXTENDING}`, 'sagemaker:CreateEndpoint', [
      ENDPOINT,
      EXTENDING_ENDPOINT_CONFIG,
    ]),
    ok(
      `registers into the group of ${EXTENDING}`,
      'sagemaker:CreateModelPackage',
      sagemaker(`model-package/${EXTENDING}/1`),
    ),
    ok(`passes the role of ${EXTENDING}`, 'iam:PassRole', iamRole(`${EXTENDING}-sagemaker`), toSageMaker),
    ok("deletes another pipeline's endpoint", 'sagemaker:DeleteEndpoint', sagemaker(`endpoint/${OTHER}`)),
    ok(
      'deletes an endpoint that only starts with the pipeline name',
      'sagemaker:DeleteEndpoint',
      sagemaker(`endpoint/${PIPELINE}-canary`),
    ),
    ok('invokes the endpoint', 'sagemaker:InvokeEndpoint', ENDPOINT),
    ok('stops a training job', 'sagemaker:StopTrainingJob', TRAINING_JOB),
    ok(
      'deletes the model package group',
      'sagemaker:DeleteModelPackageGroup',
      sagemaker(`model-package-group/${PIPELINE}`),
    ),
    ok('deletes a model version', 'sagemaker:DeleteModelPackage', MODEL_PACKAGE),
    ok("changes a model version's approval", 'sagemaker:UpdateModelPackage', MODEL_PACKAGE),
    ok('deletes a model', 'sagemaker:DeleteModel', MODEL),
    ok('deletes an endpoint config', 'sagemaker:DeleteEndpointConfig', ENDPOINT_CONFIG),
    ok(
      "registers into another pipeline's group",
      'sagemaker:CreateModelPackage',
      sagemaker(`model-package/${OTHER}/1`),
    ),
    ok('pushes an image', 'ecr:PutImage', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${PIPELINE}`),
    ok(
      "pulls another pipeline's image",
      'ecr:BatchGetImage',
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${OTHER}`,
    ),
    ok(
      'deletes the image repository',
      'ecr:DeleteRepository',
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${PIPELINE}`,
    ),
    ok(
      'invokes a function',
      'lambda:InvokeFunction',
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${PIPELINE}-deploy-model-dev-deployModel`,
    ),
    ok('purges the retrain queue', 'sqs:PurgeQueue', queue(`${PIPELINE}-retrain`)),
    ok('sends to the retrain queue (forging new data)', 'sqs:SendMessage', queue(`${PIPELINE}-retrain`)),
    ok("reads another pipeline's queue", 'sqs:ReceiveMessage', queue(`${OTHER}-retrain`)),
    ok('deletes a log group', 'logs:DeleteLogGroup', logGroup(`/aws/lambda/${PIPELINE}-x`)),
    ok(
      'creates an alarm',
      'cloudwatch:PutMetricAlarm',
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PIPELINE}-x`,
    ),
    ...otherFunctionsLogs(role),
  ];
}
