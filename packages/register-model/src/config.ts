import {
  booleanText,
  decimalNumber,
  modelPackageGroupName,
  optionalTopicArn,
  pipelineName,
  s3Uri,
  sweepLookbackHours,
} from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';

/**
 * register-model: where evaluations are, the registry, the gate a model must pass to be registered, and the window
 * its sweep looks back over.
 */
export const registerModelEnv = v.object({
  PIPELINE_NAME: pipelineName(),
  MODEL_REGISTRY_NAME: modelPackageGroupName(),
  S3_EVALUATION_RESULTS_URI: s3Uri(),
  METRIC_PATH: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[^.\s]+(\.[^.\s]+)*$/,
        'must be a dotted path such as multiclass_classification_metrics.accuracy.value',
      ),
    ),
    'multiclass_classification_metrics.accuracy.value',
  ),
  METRIC_THRESHOLD: v.optional(decimalNumber(), '0.8'),
  METRIC_DIRECTION: v.optional(v.picklist(['higher', 'lower'], 'must be higher or lower'), 'higher'),
  MIN_IMPROVEMENT: v.optional(v.pipe(decimalNumber(), v.minValue(0, 'must be 0 or more')), '0'),
  MANUAL_APPROVAL: v.optional(booleanText(), 'false'),
  SWEEP_LOOKBACK_HOURS: sweepLookbackHours(),
  ALERT_TOPIC_ARN: optionalTopicArn(),
});
export type RegisterModelConfig = v.InferOutput<typeof registerModelEnv>;
