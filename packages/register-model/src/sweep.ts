/**
 * register-model's sweep, run by its schedule: it takes the gate decisions that a Processing Job State Change
 * should have caused and did not (an event lost, or refused by every retry). It lists the pipeline's evaluation
 * jobs modified within the lookback window and, for each Completed one, describes it and hands `registerModel`
 * the event SageMaker would have sent (its detail is the description, dates in epoch milliseconds): the same
 * decide-once check of decision.json, the same gate, the same ClientToken. So an evaluation already decided
 * costs its description and one read of decision.json, and a sweep racing an event registers nothing twice
 * (the function's reserved concurrency of 1 also runs them one after the other).
 *
 * The listing has no status filter: a Failed or Stopped evaluation costs no more than its summary, and is
 * reported as failed with SageMaker's reason (the same message its event gives), for whoever alerts on it.
 *
 * Cost, when nothing is missing: one ListProcessingJobs per 100 evaluations named `<pipeline>-eval-` modified in
 * the window (SageMaker filters by name and time), plus 2 calls per Completed evaluation in the window
 * (DescribeProcessingJob, and GetObject of its decision.json). An hourly sweep of a pipeline that evaluates 10
 * models a day makes at most 21 calls. A missing decision adds the gate's calls.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeProcessingJobCommand,
  ListProcessingJobsCommand,
  type ProcessingJobSummary,
} from '@aws-sdk/client-sagemaker';
import { countingCalls } from '@sagemaker-pipeline/shared/clients';
import {
  type ProcessingJobStateChangeEvent,
  ProcessingJobStateChangeEventSchema,
  type ScheduledEvent,
} from '@sagemaker-pipeline/shared/events';
import { isPipelineResource, namePrefix } from '@sagemaker-pipeline/shared/naming';
import * as v from 'valibot';
import { type Deps, registerModel } from './register.js';

/** SageMaker's largest page of List* results. */
const PAGE_SIZE = 100;

const FINISHED = new Set(['Completed', 'Failed', 'Stopped']);

export interface SweepResult {
  status: 'swept';
  /** Evaluation jobs modified after `from` are checked; `to` is the schedule's time. */
  window: { from: string; to: string };
  /** Completed evaluations of the pipeline in the window. */
  checked: number;
  /** Those of them with no decision.json (or that could not be read). */
  missing: number;
  /** Evaluation jobs whose model this sweep registered. */
  registered: string[];
  /** Evaluation jobs whose model this sweep rejected (decision.json written). */
  rejected: string[];
  /** Evaluation jobs whose model was registered already; their decision.json is written now. */
  alreadyRegistered: string[];
  /**
   * Evaluations that Failed or were Stopped (`evaluationStatus`), and Completed ones that could not be decided
   * (a missing evaluation.json, a fault), with why; the next sweep tries the latter again.
   */
  failed: { evaluationJobName: string; evaluationStatus: string; error: string }[];
  /** SageMaker and S3 calls this sweep made. */
  apiCalls: number;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A value as events carry it: dates as epoch milliseconds, the SDK's `$metadata` and undefined fields left out. */
function asEventJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(asEventJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, field]) => key !== '$metadata' && field !== undefined)
        .map(([key, field]) => [key, asEventJson(field)]),
    );
  }
  return value;
}

/** The Processing Job State Change that SageMaker sends with `detail`, as the schedule's account and region. */
export function processingJobEvent(
  detail: Record<string, unknown>,
  schedule: ScheduledEvent,
): ProcessingJobStateChangeEvent {
  return v.parse(ProcessingJobStateChangeEventSchema, {
    version: '0',
    id: schedule.id,
    'detail-type': 'SageMaker Processing Job State Change',
    source: 'aws.sagemaker',
    account: schedule.account,
    time: schedule.time,
    region: schedule.region,
    resources: typeof detail.ProcessingJobArn === 'string' ? [detail.ProcessingJobArn] : [],
    detail: asEventJson(detail),
  }) as ProcessingJobStateChangeEvent;
}

async function listEvaluations(deps: Deps, from: Date): Promise<ProcessingJobSummary[]> {
  const { sagemaker, config } = deps;
  const jobs: ProcessingJobSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListProcessingJobsCommand({
        NameContains: namePrefix(config.PIPELINE_NAME, 'eval'),
        LastModifiedTimeAfter: from,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        MaxResults: PAGE_SIZE,
        NextToken,
      }),
    );
    jobs.push(...(page.ProcessingJobSummaries ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return jobs;
}

export async function sweepDecisions(schedule: ScheduledEvent, deps: Deps): Promise<SweepResult> {
  const { config } = deps;
  const sagemakerCalls = countingCalls(deps.sagemaker);
  const s3Calls = countingCalls<S3Client>(deps.s3);
  const counted: Deps = { ...deps, sagemaker: sagemakerCalls.client, s3: s3Calls.client };
  const to = new Date(schedule.time);
  const from = new Date(to.getTime() - config.SWEEP_LOOKBACK_HOURS * 3_600_000);

  // `<pipeline>-eval-` also starts `<pipeline>-eval-<hash>-copy`: exact names only. Oldest first, as their
  // events would have come: the first registered is the champion the next is gated against.
  const evaluations = (await listEvaluations(counted, from)).filter(
    (job) =>
      isPipelineResource(job.ProcessingJobName ?? '', config.PIPELINE_NAME, 'eval') &&
      FINISHED.has(job.ProcessingJobStatus ?? ''),
  );
  const result: SweepResult = {
    status: 'swept',
    window: { from: from.toISOString(), to: to.toISOString() },
    checked: evaluations.filter((job) => job.ProcessingJobStatus === 'Completed').length,
    missing: 0,
    registered: [],
    rejected: [],
    alreadyRegistered: [],
    failed: [],
    apiCalls: 0,
  };
  // One at a time, each failure reported without stopping the others.
  for (const summary of evaluations) {
    const evaluationJobName = summary.ProcessingJobName ?? '';
    const evaluationStatus = summary.ProcessingJobStatus ?? '';
    try {
      // A failed evaluation's summary is all its event would say: registerModel reports it from that.
      const detail =
        evaluationStatus === 'Completed'
          ? await counted.sagemaker.send(
              new DescribeProcessingJobCommand({ ProcessingJobName: evaluationJobName }),
            )
          : summary;
      const outcome = await registerModel(processingJobEvent({ ...detail }, schedule), counted);
      if (outcome.status === 'already-decided' || outcome.status === 'skipped') continue;
      result.missing += 1;
      if (outcome.status === 'registered') result.registered.push(evaluationJobName);
      else if (outcome.status === 'rejected') result.rejected.push(evaluationJobName);
      else result.alreadyRegistered.push(evaluationJobName);
    } catch (error) {
      if (evaluationStatus === 'Completed') result.missing += 1;
      result.failed.push({ evaluationJobName, evaluationStatus, error: messageOf(error) });
    }
  }
  result.apiCalls = sagemakerCalls.calls() + s3Calls.calls();
  return result;
}
