/**
 * evaluate-model's sweep, run by its schedule: it starts the evaluations that a Training Job State Change should
 * have started and did not (an event lost, or refused by every retry). It lists the pipeline's Completed training
 * jobs modified within the lookback window and the pipeline's evaluation jobs created since then (or since the
 * earliest of those jobs ended, if earlier), and evaluates each training job whose derived evaluation name is not
 * listed, through the event's own
 * code path (`evaluateCompletedJob`): the same name, so a sweep racing an event creates nothing twice (the loser
 * gets ResourceInUse and reports the evaluation as already started).
 *
 * Cost, when nothing is missing: one ListTrainingJobs per 100 Completed jobs named `<pipeline>-` modified in the
 * window and one ListProcessingJobs per 100 evaluations named `<pipeline>-eval-` created since; SageMaker applies
 * the name, status and time filters, so an hourly sweep of a pipeline with fewer than 100 of each in a day makes 2
 * calls (1 when no training job completed in the window). Each missing evaluation adds DescribeTrainingJob and
 * CreateProcessingJob.
 */
import {
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  type ProcessingJobSummary,
  type TrainingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { countingCalls } from '@sagemaker-pipeline/shared/clients';
import type { ScheduledEvent } from '@sagemaker-pipeline/shared/events';
import { isPipelineResource, namePrefix, TRAINING_JOB_KINDS } from '@sagemaker-pipeline/shared/naming';
import { type Deps, evaluateCompletedJob, evaluationJobName } from './start-evaluation.js';

/** SageMaker's largest page of List* results. */
const PAGE_SIZE = 100;

export interface SweepResult {
  status: 'swept';
  /** Training jobs modified after `from` are checked; `to` is the schedule's time. */
  window: { from: string; to: string };
  /** Completed training jobs of the pipeline in the window. */
  checked: number;
  /** Those of them whose evaluation job was not listed. */
  missing: number;
  /** Evaluation jobs this sweep started. */
  started: string[];
  /** Evaluation jobs that existed after all (an event, or an earlier evaluation outside the listing). */
  alreadyStarted: string[];
  /** Training jobs whose evaluation could not be started, with why; the next sweep tries again. */
  failed: { trainingJobName: string; error: string }[];
  /** SageMaker calls this sweep made. */
  apiCalls: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Every page of a SageMaker List* call, following NextToken. */
async function listAll<T>(
  page: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const answer = await page(nextToken);
    items.push(...(answer.items ?? []));
    nextToken = answer.nextToken;
  } while (nextToken);
  return items;
}

export async function sweepEvaluations(event: ScheduledEvent, deps: Deps): Promise<SweepResult> {
  const { config } = deps;
  const counted = countingCalls(deps.sagemaker);
  const sagemaker = counted.client;
  const pipeline = config.PIPELINE_NAME;
  const to = new Date(event.time);
  const from = new Date(to.getTime() - config.SWEEP_LOOKBACK_HOURS * 3_600_000);

  // NameContains `<pipeline>-` also matches `<pipeline>-2-train-...` of another pipeline: exact names only.
  const trainingJobs = (
    await listAll<TrainingJobSummary>(async (NextToken) => {
      const answer = await sagemaker.send(
        new ListTrainingJobsCommand({
          NameContains: namePrefix(pipeline),
          StatusEquals: 'Completed',
          LastModifiedTimeAfter: from,
          MaxResults: PAGE_SIZE,
          NextToken,
        }),
      );
      return { items: answer.TrainingJobSummaries, nextToken: answer.NextToken };
    })
  ).filter((job) => isPipelineResource(job.TrainingJobName ?? '', pipeline, TRAINING_JOB_KINDS));

  let evaluations = new Set<string>();
  if (trainingJobs.length > 0) {
    // An evaluation is created after its training job ended, which may be before the window opened (a job's
    // LastModifiedTime can move after its end): the listing starts at the earliest end, or the window's start.
    const earliestEnd = Math.min(
      from.getTime(),
      ...trainingJobs.map((job) => (job.TrainingEndTime ?? job.LastModifiedTime ?? from).getTime()),
    );
    const listed = await listAll<ProcessingJobSummary>(async (NextToken) => {
      const answer = await sagemaker.send(
        new ListProcessingJobsCommand({
          NameContains: namePrefix(pipeline, 'eval'),
          CreationTimeAfter: new Date(earliestEnd),
          MaxResults: PAGE_SIZE,
          NextToken,
        }),
      );
      return { items: answer.ProcessingJobSummaries, nextToken: answer.NextToken };
    });
    evaluations = new Set(
      listed
        .map((job) => job.ProcessingJobName ?? '')
        .filter((name) => isPipelineResource(name, pipeline, 'eval')),
    );
  }

  const missing = trainingJobs
    .map((job) => job.TrainingJobName ?? '')
    .filter((name) => !evaluations.has(evaluationJobName(pipeline, name)));
  const result: SweepResult = {
    status: 'swept',
    window: { from: from.toISOString(), to: to.toISOString() },
    checked: trainingJobs.length,
    missing: missing.length,
    started: [],
    alreadyStarted: [],
    failed: [],
    apiCalls: 0,
  };
  // One at a time: CreateProcessingJob has its own rate limit, and one failure must not stop the others.
  for (const trainingJobName of missing) {
    try {
      const start = await evaluateCompletedJob(trainingJobName, undefined, { ...deps, sagemaker });
      (start.status === 'started' ? result.started : result.alreadyStarted).push(start.processingJobName);
    } catch (error) {
      result.failed.push({ trainingJobName, error: messageOf(error) });
    }
  }
  result.apiCalls = counted.calls();
  return result;
}
