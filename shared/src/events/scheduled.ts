import * as v from 'valibot';
import { EventBridgeSchema } from './eventbridge.js';
import { looseObject, object } from './json.js';

/** `Scheduled Event` (source aws.events): what an EventBridge schedule rule sends its target; `resources` names the rule. */
export const ScheduledEventSchema = object({
  ...EventBridgeSchema.entries,
  source: v.literal('aws.events'),
  'detail-type': v.literal('Scheduled Event'),
  detail: looseObject({}),
});
export type ScheduledEvent = v.InferOutput<typeof ScheduledEventSchema>;
