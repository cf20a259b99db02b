import * as v from 'valibot';
import { EventBridgeSchema, timestamp } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

export const ModelApprovalStatusSchema = v.picklist(['Approved', 'Rejected', 'PendingManualApproval']);

/** `SageMaker Model Package State Change`: a package was registered or its approval changed. */
export const ModelPackageStateChangeEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.sagemaker'),
  'detail-type': v.literal('SageMaker Model Package State Change'),
  detail: looseObject({
    ModelPackageGroupName: v.pipe(v.string(), v.minLength(1)),
    ModelPackageVersion: nullish(v.pipe(v.number(), v.integer(), v.minValue(1))),
    ModelPackageArn: v.pipe(v.string(), v.minLength(1)),
    ModelApprovalStatus: ModelApprovalStatusSchema,
    ModelPackageStatus: nullish(v.string()),
    CreationTime: nullish(timestamp()),
  }),
});
export type ModelPackageStateChangeEvent = v.InferOutput<typeof ModelPackageStateChangeEventSchema>;
