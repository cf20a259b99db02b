/**
 * retrain-model's entry: an SQS batch of S3 notifications may start a retraining (`retrain`); the schedule
 * sweeps for training data that no retraining covers (`sweepTrainingData`). The function's reserved concurrency
 * of 1 runs them one after the other, so a sweep and a batch never race.
 */
import type { S3SqsEvent, ScheduledEvent } from '@sagemaker-pipeline/shared/events';
import { type RetrainResult, retrain } from './retrain.js';
import { type SweepDeps, type SweepResult, sweepTrainingData } from './sweep.js';

/** What retrain-model runs on: a batch from its queue, or its schedule. */
export type RetrainModelEvent = S3SqsEvent | ScheduledEvent;

export const isScheduled = (event: RetrainModelEvent): event is ScheduledEvent => 'detail-type' in event;

export function retrainOrSweep(
  event: RetrainModelEvent,
  deps: SweepDeps,
): Promise<RetrainResult | SweepResult> {
  return isScheduled(event) ? sweepTrainingData(event, deps) : retrain(event, deps);
}
