/**
 * Schemas of every event the pipeline consumes, on top of the EventBridge, S3 and SQS envelopes of Powertools'
 * parser (declared here, field for field, in zod/mini: Powertools' own are full zod). zod/mini, the tree-shakable
 * API of zod 4, keeps the validation and its messages at a fraction of full zod's weight in each bundle (see
 * bench/RESULTS.md). Only the fields a stage reads are required; AWS adds fields over time, so unknown ones are
 * kept, not refused.
 */
import * as z from 'zod/mini';
import { SAGEMAKER_NAME, SAGEMAKER_NAME_MAX } from './naming.js';
import './zod-locale.js';

/** An EventBridge event (Powertools' EventBridgeSchema). */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});

const S3Identity = z.object({ principalId: z.string() });

/** An S3 notification record (Powertools' S3 record schema). */
const S3RecordSchema = z.object({
  eventVersion: z.string(),
  eventSource: z.literal('aws:s3'),
  awsRegion: z.string(),
  eventTime: z.iso.datetime(),
  eventName: z.string(),
  userIdentity: S3Identity,
  requestParameters: z.object({ sourceIPAddress: z.union([z.ipv4(), z.literal('s3.amazonaws.com')]) }),
  responseElements: z.object({ 'x-amz-request-id': z.string(), 'x-amz-id-2': z.string() }),
  s3: z.object({
    s3SchemaVersion: z.string(),
    configurationId: z.string(),
    object: z.object({
      key: z.string(),
      size: z.optional(z.number()),
      urlDecodedKey: z.optional(z.string()),
      eTag: z.optional(z.string()),
      sequencer: z.optional(z.string()),
      versionId: z.optional(z.string()),
    }),
    bucket: z.object({ name: z.string(), ownerIdentity: S3Identity, arn: z.string() }),
  }),
  glacierEventData: z.optional(
    z.object({
      restoreEventData: z.object({
        lifecycleRestorationExpiryTime: z.string(),
        lifecycleRestoreStorageClass: z.string(),
      }),
    }),
  ),
});

/** An S3 notification (Powertools' S3Schema). */
export const S3Schema = z.object({ Records: z.array(S3RecordSchema).check(z.minLength(1)) });

const SqsMsgAttributeSchema = z.object({
  stringValue: z.optional(z.nullable(z.string())),
  binaryValue: z.optional(z.nullable(z.string())),
  stringListValues: z.optional(z.array(z.string())),
  binaryListValues: z.optional(z.array(z.string())),
  dataType: z.union([z.literal('String'), z.literal('Number'), z.literal('Binary'), z.string()]),
});

/** A record of an SQS batch (Powertools' SqsRecordSchema). */
export const SqsRecordSchema = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: z.object({
    ApproximateReceiveCount: z.string(),
    ApproximateFirstReceiveTimestamp: z.string(),
    MessageDeduplicationId: z.optional(z.string()),
    MessageGroupId: z.optional(z.string()),
    SenderId: z.string(),
    SentTimestamp: z.string(),
    SequenceNumber: z.optional(z.string()),
    AWSTraceHeader: z.optional(z.string()),
    DeadLetterQueueSourceArn: z.optional(z.string()),
  }),
  messageAttributes: z.record(z.string(), SqsMsgAttributeSchema),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.optional(z.nullable(z.string())),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});

/** An SQS batch as Lambda delivers it (Powertools' SqsSchema). */
export const SqsSchema = z.object({ Records: z.array(SqsRecordSchema).check(z.minLength(1)) });

const imageDigest = z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/, 'must be a sha256 image digest'));

/**
 * A job name as SageMaker accepts it. A name that breaks the pattern is in no SageMaker event: it is refused
 * before any AWS call, and never reaches a Describe*, an S3 path or a derived name.
 */
const sagemakerJobName = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(SAGEMAKER_NAME_MAX),
    z.regex(
      SAGEMAKER_NAME,
      'must be a SageMaker name: letters, digits and hyphens, starting and ending alphanumeric',
    ),
  );

/** `ECR Image Action` (source aws.ecr): a push or delete of an image, successful or not. */
export const EcrImageActionEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal('aws.ecr'),
  'detail-type': z.literal('ECR Image Action'),
  detail: z.looseObject({
    'action-type': z.enum(['PUSH', 'DELETE']),
    result: z.enum(['SUCCESS', 'FAILURE']),
    'repository-name': z.string().check(z.minLength(1)),
    'image-digest': imageDigest,
    'image-tag': z.optional(z.string()),
  }),
});
export type EcrImageActionEvent = z.infer<typeof EcrImageActionEventSchema>;

/** SageMaker puts epoch milliseconds in its events where the API has timestamps. */
const timestamp = z.union([z.number(), z.string()]);
/** In events, SageMaker sends tags as a map, not as the API's [{Key, Value}] list. */
const tagMap = z.record(z.string(), z.string());

export const TrainingJobStatusSchema = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

/** `SageMaker Training Job State Change`: the detail is the DescribeTrainingJob response. */
export const TrainingJobStateChangeEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Training Job State Change'),
  detail: z.looseObject({
    TrainingJobName: sagemakerJobName,
    TrainingJobArn: z.string().check(z.minLength(1)),
    TrainingJobStatus: TrainingJobStatusSchema,
    SecondaryStatus: z.optional(z.string()),
    FailureReason: z.optional(z.string()),
    ModelArtifacts: z.optional(z.looseObject({ S3ModelArtifacts: z.string() })),
    AlgorithmSpecification: z.optional(z.looseObject({ TrainingImage: z.optional(z.string()) })),
    CreationTime: z.optional(timestamp),
    TrainingEndTime: z.optional(timestamp),
    Tags: z.optional(tagMap),
  }),
});
export type TrainingJobStateChangeEvent = z.infer<typeof TrainingJobStateChangeEventSchema>;

export const ProcessingJobStatusSchema = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

/** `SageMaker Processing Job State Change`: the detail is the DescribeProcessingJob response. */
export const ProcessingJobStateChangeEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Processing Job State Change'),
  detail: z.looseObject({
    ProcessingJobName: sagemakerJobName,
    ProcessingJobArn: z.string().check(z.minLength(1)),
    ProcessingJobStatus: ProcessingJobStatusSchema,
    FailureReason: z.optional(z.string()),
    ExitMessage: z.optional(z.string()),
    ProcessingOutputConfig: z.optional(
      z.looseObject({
        Outputs: z.array(
          z.looseObject({
            OutputName: z.string(),
            S3Output: z.optional(z.looseObject({ S3Uri: z.string(), LocalPath: z.optional(z.string()) })),
          }),
        ),
      }),
    ),
    Tags: z.optional(z.union([tagMap, z.array(z.object({ Key: z.string(), Value: z.string() }))])),
  }),
});
export type ProcessingJobStateChangeEvent = z.infer<typeof ProcessingJobStateChangeEventSchema>;

export const ModelApprovalStatusSchema = z.enum(['Approved', 'Rejected', 'PendingManualApproval']);

/** `SageMaker Model Package State Change`: a package was registered or its approval changed. */
export const ModelPackageStateChangeEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Model Package State Change'),
  detail: z.looseObject({
    ModelPackageGroupName: z.string().check(z.minLength(1)),
    ModelPackageVersion: z.optional(z.number().check(z.int(), z.positive())),
    ModelPackageArn: z.string().check(z.minLength(1)),
    ModelApprovalStatus: ModelApprovalStatusSchema,
    ModelPackageStatus: z.optional(z.string()),
    CreationTime: z.optional(timestamp),
  }),
});
export type ModelPackageStateChangeEvent = z.infer<typeof ModelPackageStateChangeEventSchema>;

/** Endpoint events spell statuses IN_SERVICE, UPDATING..., unlike the API's InService, Updating. */
export const EndpointEventStatusSchema = z.enum([
  'OUT_OF_SERVICE',
  'CREATING',
  'UPDATING',
  'SYSTEM_UPDATING',
  'ROLLING_BACK',
  'IN_SERVICE',
  'DELETING',
  'FAILED',
  'UPDATE_ROLLBACK_FAILED',
]);

/** `SageMaker Endpoint State Change`. */
export const EndpointStateChangeEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Endpoint State Change'),
  detail: z.looseObject({
    EndpointName: z.string().check(z.minLength(1)),
    EndpointArn: z.optional(z.string()),
    EndpointConfigName: z.optional(z.string()),
    EndpointStatus: EndpointEventStatusSchema,
    FailureReason: z.optional(z.string()),
  }),
});
export type EndpointStateChangeEvent = z.infer<typeof EndpointStateChangeEventSchema>;

/** The message S3 sends once when a notification configuration is saved. */
export const S3TestEventSchema = z.looseObject({
  Service: z.literal('Amazon S3'),
  Event: z.literal('s3:TestEvent'),
  Bucket: z.string(),
  Time: z.optional(z.string()),
  RequestId: z.optional(z.string()),
  HostId: z.optional(z.string()),
});
export type S3TestEvent = z.infer<typeof S3TestEventSchema>;

/**
 * An S3 notification record. Powertools' schema accepts only IPv4 source addresses; S3 also reports IPv6
 * clients, and refusing those would drop their uploads from retraining.
 */
export const S3NotificationRecordSchema = z.extend(S3RecordSchema, {
  requestParameters: z.looseObject({ sourceIPAddress: z.string() }),
});
export type S3NotificationRecord = z.infer<typeof S3NotificationRecordSchema>;

/** An S3 notification delivered to Lambda directly. */
export const S3NotificationEventSchema = z.object({
  Records: z.array(S3NotificationRecordSchema).check(z.minLength(1)),
});
export type S3NotificationEvent = z.infer<typeof S3NotificationEventSchema>;

/**
 * An SQS batch of S3 notifications. Bodies are kept as strings here: one bad message must fail alone
 * (partial batch response), not the whole batch, so each body is parsed with `parseS3QueueMessage`.
 */
export const S3SqsEventSchema = SqsSchema;
export type S3SqsEvent = z.infer<typeof S3SqsEventSchema>;
export type SqsRecord = z.infer<typeof SqsRecordSchema>;

export type S3QueueMessage =
  | { type: 'notification'; event: S3NotificationEvent }
  | { type: 'test'; event: S3TestEvent };

/** Parses one SQS body as an S3 notification or test event; throws a zod error naming the field. */
export function parseS3QueueMessage(body: string): S3QueueMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('SQS message body is not JSON');
  }
  const test = S3TestEventSchema.safeParse(json);
  if (test.success) return { type: 'test', event: test.data };
  return { type: 'notification', event: S3NotificationEventSchema.parse(json) };
}

/** S3 URL-encodes keys in notifications like a form: `+` is a space, `%2B` a plus, unicode as UTF-8 escapes. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
