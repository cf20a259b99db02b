import * as v from 'valibot';
import { EventBridgeSchema, sagemakerJobName, tagMap } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

export const ProcessingJobStatusSchema = v.picklist([
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped',
]);

/** `SageMaker Processing Job State Change`: the detail is the DescribeProcessingJob response. */
export const ProcessingJobStateChangeEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.sagemaker'),
  'detail-type': v.literal('SageMaker Processing Job State Change'),
  detail: looseObject({
    ProcessingJobName: sagemakerJobName(),
    ProcessingJobArn: v.pipe(v.string(), v.minLength(1)),
    ProcessingJobStatus: ProcessingJobStatusSchema,
    FailureReason: nullish(v.string()),
    ExitMessage: nullish(v.string()),
    ProcessingOutputConfig: nullish(
      looseObject({
        Outputs: v.array(
          looseObject({
            OutputName: v.string(),
            S3Output: nullish(looseObject({ S3Uri: v.string(), LocalPath: nullish(v.string()) })),
          }),
        ),
      }),
    ),
    Tags: nullish(v.union([tagMap(), v.array(object({ Key: v.string(), Value: v.string() }))])),
  }),
});
export type ProcessingJobStateChangeEvent = v.InferOutput<typeof ProcessingJobStateChangeEventSchema>;
