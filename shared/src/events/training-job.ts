import * as v from 'valibot';
import { EventBridgeSchema, sagemakerJobName, tagMap, timestamp } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

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
    SecondaryStatus: nullish(v.string()),
    FailureReason: nullish(v.string()),
    ModelArtifacts: nullish(looseObject({ S3ModelArtifacts: v.string() })),
    AlgorithmSpecification: nullish(looseObject({ TrainingImage: nullish(v.string()) })),
    CreationTime: nullish(timestamp()),
    TrainingEndTime: nullish(timestamp()),
    Tags: nullish(tagMap()),
  }),
});
export type TrainingJobStateChangeEvent = v.InferOutput<typeof TrainingJobStateChangeEventSchema>;
