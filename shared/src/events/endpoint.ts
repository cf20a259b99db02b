import * as v from 'valibot';
import { EventBridgeSchema } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

/** Endpoint events spell statuses IN_SERVICE, UPDATING..., unlike the API's InService, Updating. */
export const EndpointEventStatusSchema = v.picklist([
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
export const EndpointStateChangeEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.sagemaker'),
  'detail-type': v.literal('SageMaker Endpoint State Change'),
  detail: looseObject({
    EndpointName: v.pipe(v.string(), v.minLength(1)),
    EndpointArn: nullish(v.string()),
    EndpointConfigName: nullish(v.string()),
    EndpointStatus: EndpointEventStatusSchema,
    FailureReason: nullish(v.string()),
  }),
});
export type EndpointStateChangeEvent = v.InferOutput<typeof EndpointStateChangeEventSchema>;
