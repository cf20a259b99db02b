/**
 * evaluate-model's business function: a training job's state change starts (or explains the absence of) its
 * evaluation; the schedule sweeps for the evaluations such events should have started.
 */
import type { ScheduledEvent, TrainingJobStateChangeEvent } from '@sagemaker-pipeline/shared/events';
import { type Deps, type EvaluateModelResult, startEvaluation } from './start-evaluation.js';
import { type SweepResult, sweepEvaluations } from './sweep.js';

/** What evaluate-model runs on: a training job's state change, or its schedule. */
export type EvaluateModelEvent = TrainingJobStateChangeEvent | ScheduledEvent;

export function evaluateModel(
  event: EvaluateModelEvent,
  deps: Deps,
): Promise<EvaluateModelResult | SweepResult> {
  switch (event['detail-type']) {
    case 'SageMaker Training Job State Change':
      return startEvaluation(event, deps);
    case 'Scheduled Event':
      return sweepEvaluations(event, deps);
  }
}
