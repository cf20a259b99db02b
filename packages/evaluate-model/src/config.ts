import {
  instanceType,
  optionalImageUri,
  optionalTopicArn,
  pipelineName,
  positiveInt,
  roleArn,
  s3Uri,
  sweepLookbackHours,
} from '@sagemaker-pipeline/shared/config';
import * as v from 'valibot';

/**
 * evaluate-model: the evaluation processing job started for each completed training job of the pipeline, and
 * the window its sweep looks back over.
 */
export const evaluateModelEnv = v.object({
  PIPELINE_NAME: pipelineName(),
  SAGEMAKER_ROLE: roleArn(),
  EVALUATION_DATA_URI: s3Uri(),
  S3_EVALUATION_RESULTS_URI: s3Uri(),
  EVALUATION_IMAGE_URI: optionalImageUri(),
  EVALUATION_INSTANCE_TYPE: instanceType(),
  EVALUATION_INSTANCE_COUNT: positiveInt(1),
  EVALUATION_VOLUME_SIZE_GB: positiveInt(30),
  EVALUATION_MAX_RUNTIME_SECONDS: positiveInt(3600),
  SWEEP_LOOKBACK_HOURS: sweepLookbackHours(),
  ALERT_TOPIC_ARN: optionalTopicArn(),
});
export type EvaluateModelConfig = v.InferOutput<typeof evaluateModelEnv>;
