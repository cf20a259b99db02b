/**
 * What the run did, for its report: every invocation, job and endpoint change on one chart, and the alerts the
 * pipeline published.
 */
import {
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Stack } from '@sagemaker-pipeline/local';
import type { PipelineNames } from '@sagemaker-pipeline/shared/contracts';
import type { AlertRow, TimelineItem } from './report.js';

/** The messages published on the pipeline's alert topic (`<pipeline>-alerts`, infra's). */
export function alertsOf(stack: Stack, names: PipelineNames): AlertRow[] {
  const topic = `arn:aws:sns:${stack.region}:${stack.account}:${names.pipeline}-alerts`;
  return stack.sns.published
    .filter((published) => published.topicArn === topic)
    .map((published) => ({
      time: published.time,
      subject: published.subject ?? '',
      message: published.message,
    }));
}

/** Every invocation, job and endpoint change of the run, for the report's chart. */
export async function timeline(
  stack: Stack,
  sagemaker: SageMakerClient,
  pipeline: string,
  now: number,
): Promise<TimelineItem[]> {
  const items: TimelineItem[] = stack.functions.invocations.map((invocation) => {
    const start = Date.parse(invocation.start);
    const result = invocation.result as { status?: string } | undefined;
    return {
      lane: invocation.function,
      label: `${invocation.function} (${invocation.trigger}${invocation.attempt > 1 ? `, attempt ${invocation.attempt}` : ''})`,
      kind: 'invocation',
      start,
      end: start + invocation.durationMs,
      status:
        invocation.status === 'error'
          ? `error: ${invocation.error?.errorMessage ?? ''}`
          : (result?.status ?? 'ok'),
    };
  });
  const time = (value: Date | undefined, fallback: number) => (value ? value.getTime() : fallback);
  const { TrainingJobSummaries = [] } = await sagemaker.send(
    new ListTrainingJobsCommand({ NameContains: `${pipeline}-`, MaxResults: 100 }),
  );
  for (const summary of TrainingJobSummaries) {
    const job = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: summary.TrainingJobName }),
    );
    const start = time(job.TrainingStartTime ?? job.CreationTime, now);
    items.push({
      lane: 'training jobs',
      label: job.TrainingJobName ?? '',
      kind: 'training',
      start,
      end: time(job.TrainingEndTime, now),
      status: job.TrainingJobStatus ?? 'unknown',
    });
  }
  const { ProcessingJobSummaries = [] } = await sagemaker.send(
    new ListProcessingJobsCommand({ NameContains: `${pipeline}-`, MaxResults: 100 }),
  );
  for (const summary of ProcessingJobSummaries) {
    const job = await sagemaker.send(
      new DescribeProcessingJobCommand({ ProcessingJobName: summary.ProcessingJobName }),
    );
    items.push({
      lane: 'evaluation jobs',
      label: job.ProcessingJobName ?? '',
      kind: 'processing',
      start: time(job.ProcessingStartTime ?? job.CreationTime, now),
      end: time(job.ProcessingEndTime, now),
      status: job.ProcessingJobStatus ?? 'unknown',
    });
  }
  // Endpoint changes: from each state-change event to the next one of the same endpoint.
  const changes = stack.bus.recorded
    .map((recorded) => recorded.event)
    .filter((event) => event['detail-type'] === 'SageMaker Endpoint State Change');
  changes.forEach((event, index) => {
    const next = changes
      .slice(index + 1)
      .find((later) => later.detail.EndpointName === event.detail.EndpointName);
    const start = Date.parse(event.time);
    items.push({
      lane: `endpoint ${String(event.detail.EndpointName ?? '')}`,
      label: `${String(event.detail.EndpointStatus ?? '')} ${String(event.detail.EndpointConfigName ?? '')}`,
      kind: 'endpoint',
      start,
      end: next ? Date.parse(next.time) : now,
      status: String(event.detail.EndpointStatus ?? ''),
    });
  });
  return items.filter((item) => Number.isFinite(item.start) && Number.isFinite(item.end));
}
