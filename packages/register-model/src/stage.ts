/**
 * register-model's entry: an evaluation job's state change is gated (`registerModel`); the schedule sweeps for
 * the decisions such events should have caused (`sweepDecisions`).
 */
import type { ProcessingJobStateChangeEvent, ScheduledEvent } from '@sagemaker-pipeline/shared/events';
import { type Deps, type RegisterModelResult, registerModel } from './register-model.js';
import { type SweepResult, sweepDecisions } from './sweep.js';

/** What register-model runs on: an evaluation job's state change, or its schedule. */
export type RegisterModelEvent = ProcessingJobStateChangeEvent | ScheduledEvent;

export function registerModelOrSweep(
  event: RegisterModelEvent,
  deps: Deps,
): Promise<RegisterModelResult | SweepResult> {
  switch (event['detail-type']) {
    case 'SageMaker Processing Job State Change':
      return registerModel(event, deps);
    case 'Scheduled Event':
      return sweepDecisions(event, deps);
  }
}
