/**
 * register-model's entry: an evaluation job's state change is gated (`registerModel`), and a human is alerted
 * about a rejection or an evaluation that could not be decided; the schedule sweeps for the decisions such
 * events should have caused (`sweepDecisions`).
 */
import type { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import type { ProcessingJobStateChangeEvent, ScheduledEvent } from '@sagemaker-pipeline/shared/events';
import { rejectionAlert, sweepAlert, undecidedAlert } from './alerts.js';
import { type Deps, type RegisterModelResult, registerModel } from './register.js';
import { type SweepResult, sweepDecisions } from './sweep.js';

/** What register-model runs on: an evaluation job's state change, or its schedule. */
export type RegisterModelEvent = ProcessingJobStateChangeEvent | ScheduledEvent;

export function registerModelOrSweep(
  event: RegisterModelEvent,
  deps: Deps & { alerts?: Alerts },
): Promise<(RegisterModelResult & { alert?: string }) | SweepResult> {
  switch (event['detail-type']) {
    case 'SageMaker Processing Job State Change':
      return registerAndAlert(event, deps);
    case 'Scheduled Event':
      return sweepAndAlert(event, deps);
  }
}

/** Sweeps; the Completed evaluations it could not decide are told to a human. */
async function sweepAndAlert(event: ScheduledEvent, deps: Deps & { alerts?: Alerts }): Promise<SweepResult> {
  const result = await sweepDecisions(event, deps);
  const alert = sweepAlert(result.failed, deps.config);
  if (alert && deps.alerts) await deps.alerts.publish(alert);
  return result;
}

async function registerAndAlert(
  event: ProcessingJobStateChangeEvent,
  deps: Deps & { alerts?: Alerts },
): Promise<RegisterModelResult & { alert?: string }> {
  let result: RegisterModelResult;
  try {
    result = await registerModel(event, deps);
  } catch (error) {
    // A terminal failure is not retried: the human learns about it now, then the handler reports it
    if (error instanceof TerminalError) await deps.alerts?.publish(undecidedAlert(event, error, deps.config));
    throw error;
  }
  if (result.status !== 'rejected' || !deps.alerts) return result;
  return { ...result, alert: (await deps.alerts.publish(rejectionAlert(result, deps.config))).subject };
}
