/**
 * The bad EventBridge events of each EventBridge-triggered stage: trigger-training, evaluate-model,
 * register-model and deploy-model, as specs of eventBridgeCases.
 */

import { IMAGE_DIGEST } from '@sagemaker-pipeline/shared/contracts';
import { NULLABLE_DETAIL_FIELDS } from '@sagemaker-pipeline/testing/events';
import fc, { type Arbitrary } from 'fast-check';
import {
  ecrImageAction,
  eventBridgeCases,
  modelPackageStateChange,
  ourJob,
  processingJobStateChange,
  trainingJobStateChange,
} from './eventbridge.js';
import {
  emptyString,
  foreignName,
  missing,
  mistyped,
  mutation,
  nameBreakers,
  nullOptional,
  nullRequired,
  otherThan,
  otherWord,
  outOfEnum,
  patternBreakingName,
  setTo,
  tooLongName,
} from './mutations.js';
import { type BadEvent, hexString, type JsonType, nastyString, PIPELINE, unicodeString } from './values.js';

const TIMESTAMP_TYPES: JsonType[] = ['number', 'string'];

export const triggerTrainingCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: ecrImageAction,
  source: 'aws.ecr',
  detailType: 'ECR Image Action',
  detailFields: ['action-type', 'result', 'repository-name', 'image-digest', 'image-tag'],
  foreign: [
    setTo(
      'other-repository',
      'skipped',
      ['detail', 'repository-name'],
      otherThan(PIPELINE, [
        'another-team-repository',
        'mlpipe-prod',
        'mlpipe-dev-2',
        'mlpipe',
        'mlpipe-dev/base',
      ]),
    ),
    fc.constant(mutation('delete-action', 'skipped', ['detail', 'action-type'], 'DELETE')),
    fc.constant(mutation('failed-push', 'skipped', ['detail', 'result'], 'FAILURE')),
    // ECR adds actions (UPDATE_STORAGE_CLASS came with archiving): one not known today is skipped, not refused.
    setTo(
      'unknown-action',
      'skipped',
      ['detail', 'action-type'],
      otherWord(['PUSH', 'DELETE'], ['UPDATE_STORAGE_CLASS', 'TAG', 'PULL', 'REPLICATE']).filter(Boolean),
    ),
    setTo(
      'unknown-result',
      'skipped',
      ['detail', 'result'],
      otherWord(['SUCCESS', 'FAILURE'], ['FAILED', 'IN_PROGRESS']).filter(Boolean),
    ),
  ],
  malformed: [
    ...['action-type', 'result', 'repository-name', 'image-digest'].map((f) => missing(['detail', f])),
    nullRequired(...['action-type', 'result', 'repository-name', 'image-digest'].map((f) => ['detail', f])),
    ...['action-type', 'result', 'repository-name', 'image-digest'].map((f) =>
      mistyped(['detail', f], 'string'),
    ),
    mistyped(['detail', 'image-tag'], 'string', 'null'),
    ...['action-type', 'result', 'repository-name'].map((f) => emptyString(['detail', f])),
    setTo(
      'bad-digest',
      'invalid',
      ['detail', 'image-digest'],
      fc
        .oneof(
          hexString(64).map((hex) => `sha256:${hex.toUpperCase()}`),
          hexString(63).map((hex) => `sha256:${hex}`),
          hexString(65).map((hex) => `sha256:${hex}`),
          hexString(64).map((hex) => `sha512:${hex}`),
          hexString(64),
          hexString(64).map((hex) => `sha256:${hex}\n`),
          nastyString,
        )
        .filter((value) => !IMAGE_DIGEST.test(value)),
    ),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'image-tag'], nastyString),
    nullOptional(['detail', 'image-tag']),
  ],
  otherStages: [trainingJobStateChange, processingJobStateChange, modelPackageStateChange],
});

const jobDetailBreakers = (name: string, arn: string, status: string, ourPrefix: string) => [
  ...nameBreakers(['detail', name], ourPrefix),
  nullRequired(['detail', name], ['detail', arn], ['detail', status]),
  missing(['detail', arn]),
  mistyped(['detail', arn], 'string'),
  emptyString(['detail', arn]),
  missing(['detail', status]),
  mistyped(['detail', status], 'string'),
  outOfEnum(
    ['detail', status],
    ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'],
    ['Succeeded', 'Running', 'Pending'],
  ),
  mistyped(['detail', 'FailureReason'], 'string', 'null'),
];

export const evaluateModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: trainingJobStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Training Job State Change',
  alsoAccepts: ['Scheduled Event'],
  detailFields: [
    'TrainingJobName',
    'TrainingJobArn',
    'TrainingJobStatus',
    ...NULLABLE_DETAIL_FIELDS.trainingJob,
  ],
  foreign: [
    setTo(
      'other-pipeline-job',
      'skipped',
      ['detail', 'TrainingJobName'],
      foreignName(`${PIPELINE}-`, ['mlpipe-dev', 'mlpipe-devtrain-']),
    ),
    setTo(
      'other-pipeline-tag',
      'skipped',
      ['detail', 'Tags', 'pipeline'],
      otherThan(PIPELINE, ['mlpipe-prod', 'mlpipe-dev-2', 'fraud-detector']),
    ),
    setTo(
      'unfinished-job',
      'skipped',
      ['detail', 'TrainingJobStatus'],
      fc.constantFrom('InProgress', 'Stopping'),
    ),
  ],
  malformed: [
    ...jobDetailBreakers('TrainingJobName', 'TrainingJobArn', 'TrainingJobStatus', `${PIPELINE}-`),
    mistyped(['detail', 'SecondaryStatus'], 'string', 'null'),
    mistyped(['detail', 'ModelArtifacts'], 'object', 'null'),
    missing(['detail', 'ModelArtifacts', 'S3ModelArtifacts']),
    mistyped(['detail', 'ModelArtifacts', 'S3ModelArtifacts'], 'string'),
    mistyped(['detail', 'AlgorithmSpecification'], 'object', 'null'),
    mistyped(['detail', 'AlgorithmSpecification', 'TrainingImage'], 'string', 'null'),
    mistyped(['detail', 'CreationTime'], ...TIMESTAMP_TYPES, 'null'),
    mistyped(['detail', 'TrainingEndTime'], ...TIMESTAMP_TYPES, 'null'),
    mistyped(['detail', 'Tags'], 'object', 'null'),
    fc
      .constantFrom('pipeline', 'stage', 'image-digest')
      .chain((tag) => mistyped(['detail', 'Tags', tag], 'string')),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'SecondaryStatus'], nastyString),
    setTo('noise', 'skipped', ['detail', 'FailureReason'], nastyString),
    nullOptional(...NULLABLE_DETAIL_FIELDS.trainingJob.map((field) => ['detail', field]), [
      'detail',
      'AlgorithmSpecification',
      'TrainingImage',
    ]),
    fc
      .tuple(
        unicodeString(1, 30).filter((tag) => tag !== 'pipeline'),
        nastyString,
      )
      .map(([tag, value]) => mutation('noise', 'skipped', ['detail', 'Tags', tag], value)),
  ],
  otherStages: [ecrImageAction, processingJobStateChange, modelPackageStateChange],
});

export const registerModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: processingJobStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Processing Job State Change',
  alsoAccepts: ['Scheduled Event'],
  detailFields: [
    'ProcessingJobName',
    'ProcessingJobArn',
    'ProcessingJobStatus',
    'FailureReason',
    'ExitMessage',
    'ProcessingOutputConfig',
    'ProcessingInputs',
    'Environment',
    'Tags',
  ],
  foreign: [
    setTo(
      'other-pipeline-job',
      'skipped',
      ['detail', 'ProcessingJobName'],
      fc.oneof(
        foreignName(`${PIPELINE}-eval-`, ['mlpipe-dev-eval', 'mlpipe-dev-evaluation-', 'mlpipe-dev-evalx-']),
        ourJob('train'),
        ourJob('retrain'),
      ),
    ),
    setTo(
      'unfinished-job',
      'skipped',
      ['detail', 'ProcessingJobStatus'],
      fc.constantFrom('InProgress', 'Stopping'),
    ),
  ],
  malformed: [
    ...jobDetailBreakers('ProcessingJobName', 'ProcessingJobArn', 'ProcessingJobStatus', `${PIPELINE}-eval-`),
    mistyped(['detail', 'ExitMessage'], 'string', 'null'),
    mistyped(['detail', 'ProcessingOutputConfig'], 'object', 'null'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs'], 'array'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName'], 'string'),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output'], 'object', 'null'),
    missing(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri']),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri'], 'string'),
    mistyped(['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'LocalPath'], 'string', 'null'),
    nullRequired(
      ['detail', 'ProcessingOutputConfig', 'Outputs'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'OutputName'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'S3Uri'],
    ),
    mistyped(['detail', 'Tags'], 'object', 'array', 'null'),
    setTo(
      'mistyped-field',
      'invalid',
      ['detail', 'Tags'],
      fc.constantFrom(
        [{ Key: 'pipeline' }],
        [{ Value: PIPELINE }],
        [{ Key: 1, Value: PIPELINE }],
        [PIPELINE],
        { pipeline: 1 },
      ),
    ),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'FailureReason'], nastyString),
    setTo('noise', 'skipped', ['detail', 'ExitMessage'], nastyString),
    setTo('noise', 'skipped', ['detail', 'Environment', 'TRAINING_JOB_NAME'], nastyString),
    nullOptional(
      ['detail', 'FailureReason'],
      ['detail', 'ExitMessage'],
      ['detail', 'ProcessingOutputConfig'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output'],
      ['detail', 'ProcessingOutputConfig', 'Outputs', 0, 'S3Output', 'LocalPath'],
      ['detail', 'Tags'],
    ),
  ],
  otherStages: [ecrImageAction, trainingJobStateChange, modelPackageStateChange],
});

export const deployModelCases: Arbitrary<BadEvent> = eventBridgeCases({
  base: modelPackageStateChange,
  source: 'aws.sagemaker',
  detailType: 'SageMaker Model Package State Change',
  alsoAccepts: ['SageMaker Endpoint State Change', 'Scheduled Event'],
  detailFields: [
    'ModelPackageGroupName',
    'ModelPackageVersion',
    'ModelPackageArn',
    'ModelApprovalStatus',
    'ModelPackageStatus',
    'CreationTime',
  ],
  foreign: [
    setTo(
      'other-group',
      'skipped',
      ['detail', 'ModelPackageGroupName'],
      fc.oneof(
        otherThan(PIPELINE, ['another-team-models', 'mlpipe-prod', 'mlpipe-dev-2', 'mlpipe-dev-models']),
        patternBreakingName(`${PIPELINE}-`),
        tooLongName(PIPELINE),
      ),
    ),
    fc.constant(
      mutation('pending-approval', 'skipped', ['detail', 'ModelApprovalStatus'], 'PendingManualApproval'),
    ),
  ],
  malformed: [
    missing(['detail', 'ModelPackageGroupName']),
    mistyped(['detail', 'ModelPackageGroupName'], 'string'),
    emptyString(['detail', 'ModelPackageGroupName']),
    missing(['detail', 'ModelPackageArn']),
    mistyped(['detail', 'ModelPackageArn'], 'string'),
    emptyString(['detail', 'ModelPackageArn']),
    missing(['detail', 'ModelApprovalStatus']),
    mistyped(['detail', 'ModelApprovalStatus'], 'string'),
    nullRequired(
      ['detail', 'ModelPackageGroupName'],
      ['detail', 'ModelPackageArn'],
      ['detail', 'ModelApprovalStatus'],
    ),
    outOfEnum(
      ['detail', 'ModelApprovalStatus'],
      ['Approved', 'Rejected', 'PendingManualApproval'],
      ['APPROVED', 'Deleted'],
    ),
    setTo(
      'bad-version',
      'invalid',
      ['detail', 'ModelPackageVersion'],
      fc.oneof(
        fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', true),
        fc.integer({ max: 0 }),
        fc.double({ min: 0.01, max: 1e6, noInteger: true }),
      ),
    ),
    mistyped(['detail', 'ModelPackageStatus'], 'string', 'null'),
    mistyped(['detail', 'CreationTime'], ...TIMESTAMP_TYPES, 'null'),
  ],
  noise: [
    setTo('noise', 'skipped', ['detail', 'ModelPackageDescription'], nastyString),
    nullOptional(
      ['detail', 'ModelPackageVersion'],
      ['detail', 'ModelPackageStatus'],
      ['detail', 'CreationTime'],
    ),
  ],
  otherStages: [ecrImageAction, trainingJobStateChange, processingJobStateChange],
});

// ---------------------------------------------------------------------------------------------------------------
// SQS batches of S3 notifications (retrain-model)

/** Encodes a key as S3 does in notifications: form encoding, `/` kept; `strict` also escapes `!'()*`. */
