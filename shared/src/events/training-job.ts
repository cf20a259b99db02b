import * as v from 'valibot';
import { EventBridgeSchema, sagemakerJobName, tagMap, timestamp } from './eventbridge.js';
import { looseObject, object } from './json.js';

export const TrainingJobStatusSchema = v.picklist([
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped',
]);

/** `SageMaker Training Job State Change`: the detail is the DescribeTrainingJob response. */
export const TrainingJobStateChangeEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.sagemaker'),
  'detail-type': v.literal('SageMaker Training Job State Change'),
  detail: looseObject({
    TrainingJobName: sagemakerJobName(),
    TrainingJobArn: v.pipe(v.string(), v.minLength(1)),
    TrainingJobStatus: TrainingJobStatusSchema,
    SecondaryStatus: v.optional(v.string()),
    FailureReason: v.optional(v.string()),
    ModelArtifacts: v.optional(looseObject({ S3ModelArtifacts: v.string() })),
    AlgorithmSpecification: v.optional(looseObject({ TrainingImage: v.optional(v.string()) })),
    CreationTime: v.optional(timestamp()),
    TrainingEndTime: v.optional(timestamp()),
    Tags: v.optional(tagMap()),
  }),
});
export type TrainingJobStateChangeEvent = v.InferOutput<typeof TrainingJobStateChangeEventSchema>;
