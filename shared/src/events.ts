/**
 * Schemas of every event the pipeline consumes, on top of Powertools' EventBridge, S3 and SQS schemas.
 * Only the fields a stage reads are required; AWS adds fields over time, so unknown ones are kept, not refused.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { S3Schema } from '@aws-lambda-powertools/parser/schemas/s3';
import { type SqsRecordSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { z } from 'zod';

export { EventBridgeSchema, S3Schema, SqsSchema };

const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be a sha256 image digest');

/** `ECR Image Action` (source aws.ecr): a push or delete of an image, successful or not. */
export const EcrImageActionEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.ecr'),
  'detail-type': z.literal('ECR Image Action'),
  detail: z.looseObject({
    'action-type': z.enum(['PUSH', 'DELETE']),
    result: z.enum(['SUCCESS', 'FAILURE']),
    'repository-name': z.string().min(1),
    'image-digest': imageDigest,
    'image-tag': z.string().optional(),
  }),
});
export type EcrImageActionEvent = z.infer<typeof EcrImageActionEventSchema>;

/** SageMaker puts epoch milliseconds in its events where the API has timestamps. */
const timestamp = z.union([z.number(), z.string()]);
/** In events, SageMaker sends tags as a map, not as the API's [{Key, Value}] list. */
const tagMap = z.record(z.string(), z.string());

export const TrainingJobStatusSchema = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

/** `SageMaker Training Job State Change`: the detail is the DescribeTrainingJob response. */
export const TrainingJobStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Training Job State Change'),
  detail: z.looseObject({
    TrainingJobName: z.string().min(1).max(63),
    TrainingJobArn: z.string().min(1),
    TrainingJobStatus: TrainingJobStatusSchema,
    SecondaryStatus: z.string().optional(),
    FailureReason: z.string().optional(),
    ModelArtifacts: z.looseObject({ S3ModelArtifacts: z.string() }).optional(),
    AlgorithmSpecification: z.looseObject({ TrainingImage: z.string().optional() }).optional(),
    CreationTime: timestamp.optional(),
    TrainingEndTime: timestamp.optional(),
    Tags: tagMap.optional(),
  }),
});
export type TrainingJobStateChangeEvent = z.infer<typeof TrainingJobStateChangeEventSchema>;

export const ProcessingJobStatusSchema = z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']);

/** `SageMaker Processing Job State Change`: the detail is the DescribeProcessingJob response. */
export const ProcessingJobStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Processing Job State Change'),
  detail: z.looseObject({
    ProcessingJobName: z.string().min(1).max(63),
    ProcessingJobArn: z.string().min(1),
    ProcessingJobStatus: ProcessingJobStatusSchema,
    FailureReason: z.string().optional(),
    ExitMessage: z.string().optional(),
    ProcessingOutputConfig: z
      .looseObject({
        Outputs: z.array(
          z.looseObject({
            OutputName: z.string(),
            S3Output: z.looseObject({ S3Uri: z.string(), LocalPath: z.string().optional() }).optional(),
          }),
        ),
      })
      .optional(),
    Tags: z.union([tagMap, z.array(z.object({ Key: z.string(), Value: z.string() }))]).optional(),
  }),
});
export type ProcessingJobStateChangeEvent = z.infer<typeof ProcessingJobStateChangeEventSchema>;

export const ModelApprovalStatusSchema = z.enum(['Approved', 'Rejected', 'PendingManualApproval']);

/** `SageMaker Model Package State Change`: a package was registered or its approval changed. */
export const ModelPackageStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Model Package State Change'),
  detail: z.looseObject({
    ModelPackageGroupName: z.string().min(1),
    ModelPackageVersion: z.number().int().positive().optional(),
    ModelPackageArn: z.string().min(1),
    ModelApprovalStatus: ModelApprovalStatusSchema,
    ModelPackageStatus: z.string().optional(),
    CreationTime: timestamp.optional(),
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
export const EndpointStateChangeEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Endpoint State Change'),
  detail: z.looseObject({
    EndpointName: z.string().min(1),
    EndpointArn: z.string().optional(),
    EndpointConfigName: z.string().optional(),
    EndpointStatus: EndpointEventStatusSchema,
    FailureReason: z.string().optional(),
  }),
});
export type EndpointStateChangeEvent = z.infer<typeof EndpointStateChangeEventSchema>;

/** The message S3 sends once when a notification configuration is saved. */
export const S3TestEventSchema = z.looseObject({
  Service: z.literal('Amazon S3'),
  Event: z.literal('s3:TestEvent'),
  Bucket: z.string(),
  Time: z.string().optional(),
  RequestId: z.string().optional(),
  HostId: z.string().optional(),
});
export type S3TestEvent = z.infer<typeof S3TestEventSchema>;

/**
 * An S3 notification record. Powertools' schema accepts only IPv4 source addresses; S3 also reports IPv6
 * clients, and refusing those would drop their uploads from retraining.
 */
export const S3NotificationRecordSchema = S3Schema.shape.Records.element.extend({
  requestParameters: z.looseObject({ sourceIPAddress: z.string() }),
});
export type S3NotificationRecord = z.infer<typeof S3NotificationRecordSchema>;

/** An S3 notification delivered to Lambda directly. */
export const S3NotificationEventSchema = z.object({ Records: z.array(S3NotificationRecordSchema).min(1) });
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
