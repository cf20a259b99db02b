/**
 * evaluate-model's business function: a training job's state change starts (or explains the absence of) its
 * evaluation; the schedule sweeps for the evaluations such events should have started.
 */
import type { Alerts } from '@sagemaker-pipeline/shared/alerts';
import type { ScheduledEvent, TrainingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import { sweepAlert, trainingFailedAlert } from './alerts.js';
import { type Deps, type EvaluateModelResult, startEvaluation } from './start-evaluation.js';
import { type SweepResult, sweepEvaluations } from './sweep.js';

/** What evaluate-model runs on: a training job's state change, or its schedule. */
export type EvaluateModelEvent = TrainingJobStateChangeEvent | ScheduledEvent;

export function evaluateModel(
  event: EvaluateModelEvent,
  deps: Deps & { alerts?: Alerts },
): Promise<(EvaluateModelResult & { alert?: string }) | SweepResult> {
  switch (event['detail-type']) {
    case 'SageMaker Training Job State Change':
      return evaluateAndAlert(event, deps);
    case 'Scheduled Event':
      return sweepAndAlert(event, deps);
  }
}

/** Sweeps; what it could not start is told to a human. */
async function sweepAndAlert(event: ScheduledEvent, deps: Deps & { alerts?: Alerts }): Promise<SweepResult> {
  const result = await sweepEvaluations(event, deps);
  const alert = sweepAlert(result.failed, deps.config);
  if (alert && deps.alerts) await deps.alerts.publish(alert);
  return result;
}

/** Starts the evaluation; a training job that Failed or was Stopped is told to a human instead. */
async function evaluateAndAlert(
  event: TrainingJobStateChangeEvent,
  deps: Deps & { alerts?: Alerts },
): Promise<EvaluateModelResult & { alert?: string }> {
  const result = await startEvaluation(event, deps);
  if (result.status !== 'training-failed' || !deps.alerts) return result;
  return { ...result, alert: (await deps.alerts.publish(trainingFailedAlert(result, deps.config))).subject };
}
