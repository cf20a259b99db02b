import * as v from 'valibot';
import { EventBridgeSchema } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

const imageDigest = v.pipe(v.string(), v.regex(/^sha256:[a-f0-9]{64}$/, 'must be a sha256 image digest'));

/** `ECR Image Action` (source aws.ecr): a push or delete of an image, successful or not. */
export const EcrImageActionEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.ecr'),
  'detail-type': v.literal('ECR Image Action'),
  detail: looseObject({
    'action-type': v.picklist(['PUSH', 'DELETE']),
    result: v.picklist(['SUCCESS', 'FAILURE']),
    'repository-name': v.pipe(v.string(), v.minLength(1)),
    'image-digest': imageDigest,
    'image-tag': nullish(v.string()),
  }),
});
export type EcrImageActionEvent = v.InferOutput<typeof EcrImageActionEventSchema>;
