/**
 * What evaluate-model tells a human: a training job of the pipeline that Failed or was Stopped. Nothing is
 * evaluated for it, and no retry of the event would change that, so the alert says how to train again.
 */
import type { Alert } from '@sagemaker-pipeline/shared/alerts';
import type { EvaluateModelConfig } from './config.js';

export function trainingFailedAlert(
  result: { trainingJobName: string; trainingJobStatus: 'Failed' | 'Stopped'; failureReason: string | null },
  config: EvaluateModelConfig,
): Alert {
  const job = result.trainingJobName;
  return {
    pipeline: config.PIPELINE_NAME,
    title: `Training job ${job} ${result.trainingJobStatus.toLowerCase()}`,
    what: `Training job ${job} of pipeline ${config.PIPELINE_NAME} ${result.trainingJobStatus === 'Failed' ? 'failed' : 'was stopped'}: no model, so nothing is evaluated, registered or deployed from it; the live model keeps serving.`,
    why: result.failureReason || 'SageMaker gave no failure reason',
    next:
      result.trainingJobStatus === 'Failed'
        ? `Read the job's logs (CloudWatch /aws/sagemaker/TrainingJobs, streams ${job}/...). Fix the image or the data, then push the fixed image (a new digest trains again) or upload training data (retrain-model trains on it).`
        : `Someone or something stopped it (StopTrainingJob, or MaxRuntimeInSeconds reached). To train again, push the image again with a new digest or upload training data.`,
    resources: { 'training job': job },
  };
}

/** The alert for a sweep that could not start the evaluations it found missing, or undefined when it could. */
export function sweepAlert(
  failed: readonly { trainingJobName: string; error: string }[],
  config: EvaluateModelConfig,
): Alert | undefined {
  if (failed.length === 0) return undefined;
  return {
    pipeline: config.PIPELINE_NAME,
    title: `evaluate-model's sweep could not start ${failed.length} evaluation(s)`,
    what: `The sweep found ${failed.length} Completed training job(s) of pipeline ${config.PIPELINE_NAME} without their evaluation, and could not start it: ${failed.map((entry) => entry.trainingJobName).join(', ')}.`,
    why: failed.map((entry) => `${entry.trainingJobName}: ${entry.error}`).join('; '),
    next: 'The next sweep tries again (sweepSchedule, hourly by default) while the jobs are within SWEEP_LOOKBACK_HOURS; fix what the errors name (a quota, a missing artifact or image) before the window passes.',
    resources: { 'training jobs': failed.map((entry) => entry.trainingJobName).join(', ') },
  };
}
