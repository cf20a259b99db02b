/**
 * What register-model tells a human: a model the gate rejected (with its reasons), and an evaluation that could
 * not be decided (it Failed or was Stopped, or its evaluation.json is missing or unusable). Neither is retried:
 * the alert says what was decided and how to change it.
 */
import type { Alert } from '@sagemaker-pipeline/shared/alerts';
import type { ProcessingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import type { RegisterModelConfig } from './config.js';
import type { RegisterModelResult } from './register.js';

type Rejected = Extract<RegisterModelResult, { status: 'rejected' }>;

export function rejectionAlert(result: Rejected, config: RegisterModelConfig): Alert {
  const model = result.trainingJobName ? `the model of training job ${result.trainingJobName}` : 'a model';
  const champion = result.champion
    ? `version ${result.champion.version ?? result.champion.modelPackageArn} (${result.metric.path} ${result.champion.value ?? 'unknown'})`
    : 'no champion';
  return {
    pipeline: config.PIPELINE_NAME,
    title: `Model of ${result.trainingJobName ?? result.evaluationJobName} rejected by the gate`,
    what: `The gate rejected ${model}: ${result.metric.path} = ${result.metric.value} (threshold ${result.metric.threshold}, ${result.metric.direction} is better), against ${champion}. Nothing was registered in ${config.MODEL_REGISTRY_NAME}; the live model keeps serving.`,
    why: result.reasons.join('; '),
    next: `Nothing, if the champion should stay. Otherwise improve the model or its data and train again, or change the gate (serverless.yml params metricThreshold, minImprovement, metricPath of register-model). The decision and its reasons are in ${result.decisionUri}.`,
    resources: {
      'training job': result.trainingJobName ?? undefined,
      'evaluation job': result.evaluationJobName,
      decision: result.decisionUri,
    },
  };
}

/** The alert for an evaluation register-model could not decide, with the error it reported. */
export function undecidedAlert(
  event: ProcessingJobStateChangeEvent,
  error: Error,
  config: RegisterModelConfig,
): Alert {
  const job = event.detail.ProcessingJobName;
  const status = event.detail.ProcessingJobStatus;
  const failed = status === 'Failed' || status === 'Stopped';
  return {
    pipeline: config.PIPELINE_NAME,
    title: failed
      ? `Evaluation job ${job} ${status.toLowerCase()}`
      : `Evaluation job ${job} could not be decided`,
    what: `Evaluation job ${job} of pipeline ${config.PIPELINE_NAME} ${failed ? (status === 'Failed' ? 'failed' : 'was stopped') : 'completed, but its result could not be gated'}: its model is neither registered nor rejected; the live model keeps serving.`,
    why: error.message,
    next: failed
      ? `Read the job's logs (CloudWatch /aws/sagemaker/ProcessingJobs, streams ${job}/...). Fix the evaluation image or the evaluation data, then train again (push the image with a new digest, or upload training data): each training job gets one evaluation.`
      : `Check the evaluation output under ${config.S3_EVALUATION_RESULTS_URI} (evaluation.json, and METRIC_PATH ${config.METRIC_PATH}), then train again; or register the model by hand if it is good.`,
    resources: { 'evaluation job': job },
  };
}

/**
 * The alert for a sweep that found Completed evaluations it could not decide, or undefined. Failed or Stopped
 * evaluations are left out: their own event alerted, and the sweep sees them every hour of its window.
 */
export function sweepAlert(
  failed: readonly { evaluationJobName: string; evaluationStatus: string; error: string }[],
  config: RegisterModelConfig,
): Alert | undefined {
  const undecided = failed.filter((entry) => entry.evaluationStatus === 'Completed');
  if (undecided.length === 0) return undefined;
  return {
    pipeline: config.PIPELINE_NAME,
    title: `register-model's sweep could not decide ${undecided.length} evaluation(s)`,
    what: `The sweep found ${undecided.length} Completed evaluation(s) of pipeline ${config.PIPELINE_NAME} without a decision, and could not gate them: ${undecided.map((entry) => entry.evaluationJobName).join(', ')}. Their models are neither registered nor rejected.`,
    why: undecided.map((entry) => `${entry.evaluationJobName}: ${entry.error}`).join('; '),
    next: `Fix what the errors name (evaluation.json under ${config.S3_EVALUATION_RESULTS_URI}, METRIC_PATH, the model package group); the next sweep tries again while they are within SWEEP_LOOKBACK_HOURS.`,
    resources: { 'evaluation jobs': undecided.map((entry) => entry.evaluationJobName).join(', ') },
  };
}
