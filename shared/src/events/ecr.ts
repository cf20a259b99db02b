import * as v from 'valibot';
import { IMAGE_DIGEST } from '../contracts.js';
import { EventBridgeSchema } from './eventbridge.js';
import { looseObject, nullish, object } from './json.js';

const imageDigest = v.pipe(v.string(), v.regex(IMAGE_DIGEST, 'must be a sha256 image digest'));

/**
 * `ECR Image Action` (source aws.ecr): an action on an image (push, delete...), successful or not. ECR adds
 * actions over time (`UPDATE_STORAGE_CLASS` came with archiving), so an action or result not known today is any
 * non-empty string here, and the stage skips what it does not act on instead of refusing it. The digest is
 * checked for every action: no AWS sample shows an action without a sha256 digest.
 */
export const EcrImageActionEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.ecr'),
  'detail-type': v.literal('ECR Image Action'),
  detail: looseObject({
    'action-type': v.pipe(v.string(), v.minLength(1)),
    result: v.pipe(v.string(), v.minLength(1)),
    'repository-name': v.pipe(v.string(), v.minLength(1)),
    'image-digest': imageDigest,
    'image-tag': nullish(v.string()),
  }),
});
export type EcrImageActionEvent = v.InferOutput<typeof EcrImageActionEventSchema>;
