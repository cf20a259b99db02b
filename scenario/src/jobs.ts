/**
 * The steps of the life cycle that are jobs and decisions: a training job, its evaluation, the gate's decision
 * (a registered version, or a rejection in decision.json), each watched through the AWS APIs of the stack.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DECISION_FILE, EVALUATION_FILE, type PipelineNames } from '@sagemaker-pipeline/shared/contracts';
import type { StepHandle } from './lifecycle.js';
import type { VersionRow } from './report.js';
import { StepFailed, waitFor } from './wait.js';

/** Waits for job `name` to end (not InProgress or Stopping); a job that ended other than Completed fails the step. */
async function untilEnded(
  kind: 'training' | 'evaluation',
  name: string,
  timeout: number,
  describe: () => Promise<{ status: string | undefined; reason: string | undefined }>,
): Promise<void> {
  const job = await waitFor(
    `${kind} job ${name}`,
    async () => {
      const described = await describe();
      return described.status === 'InProgress' || described.status === 'Stopping' ? undefined : described;
    },
    timeout,
  );
  if (job.status !== 'Completed') {
    throw new StepFailed(`${name} ${job.status}: ${job.reason ?? 'no reason given'}`);
  }
}

/** Waits for a new training job of the pipeline (not in `known`) and for its end. */
export async function watchTraining(
  sagemaker: SageMakerClient,
  pipeline: string,
  known: Set<string>,
  handle: StepHandle,
  timeout: number,
): Promise<string> {
  const name = await waitFor(
    'a training job',
    async () => {
      const { TrainingJobSummaries = [] } = await sagemaker.send(
        new ListTrainingJobsCommand({
          NameContains: `${pipeline}-`,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      return TrainingJobSummaries.map((job) => job.TrainingJobName ?? '').find(
        (job) => job && !known.has(job),
      );
    },
    timeout,
  );
  handle.update(`${name} started`);
  await untilEnded('training', name, timeout, async () => {
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return { status: job.TrainingJobStatus, reason: job.FailureReason };
  });
  handle.done(`${name} Completed`);
  return name;
}

export async function watchEvaluation(
  sagemaker: SageMakerClient,
  pipeline: string,
  trainingJob: string,
  handle: StepHandle,
  timeout: number,
): Promise<string> {
  const name = await waitFor(
    `the evaluation of ${trainingJob}`,
    async () => {
      const { ProcessingJobSummaries = [] } = await sagemaker.send(
        new ListProcessingJobsCommand({
          NameContains: `${pipeline}-eval-`,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      for (const summary of ProcessingJobSummaries) {
        const job = await sagemaker.send(
          new DescribeProcessingJobCommand({ ProcessingJobName: summary.ProcessingJobName }),
        );
        if (
          job.Environment?.TRAINING_JOB_NAME === trainingJob ||
          JSON.stringify(job.ProcessingInputs).includes(`/${trainingJob}/`)
        )
          return summary.ProcessingJobName;
      }
      return undefined;
    },
    timeout,
  );
  handle.update(`${name} started`);
  await untilEnded('evaluation', name, timeout, async () => {
    const job = await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
    return { status: job.ProcessingJobStatus, reason: job.FailureReason ?? job.ExitMessage };
  });
  handle.done(`${name} Completed, evaluation.json written`);
  return name;
}

/** Waits for the registration decision on a training job's model: a package version, or a decision.json. */
export async function watchRegistration(
  sagemaker: SageMakerClient,
  s3: S3Client,
  names: PipelineNames,
  trainingJob: string,
  handle: StepHandle,
  timeout: number,
): Promise<VersionRow> {
  const row = await waitFor(
    `the registry decision on ${trainingJob}`,
    async (): Promise<Omit<VersionRow, 'metrics'> | undefined> => {
      const { ModelPackageSummaryList = [] } = await sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: names.modelPackageGroup,
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );
      for (const summary of ModelPackageSummaryList) {
        const described = await sagemaker.send(
          new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }),
        );
        const metadata = described.CustomerMetadataProperties ?? {};
        if (metadata['training-job'] !== trainingJob) continue;
        const champion = metadata['champion-version'] ?? 'none';
        return {
          version: described.ModelPackageVersion ?? '?',
          trainingJob,
          approval: described.ModelApprovalStatus ?? 'Unknown',
          decision: `${metadata.gate ?? 'passed'}: ${metadata['metric-value'] ?? '?'} vs threshold ${metadata['metric-threshold'] ?? '?'}, champion ${champion === 'none' ? 'none' : `v${champion} (${metadata['champion-value'] ?? '?'})`}`,
          live: false,
        };
      }
      const decision = await readJson<{ status?: string; reasons?: unknown }>(
        s3,
        names.bucket,
        `${names.prefixes.evaluations}/${trainingJob}/${DECISION_FILE}`,
      );
      if (decision?.status === 'rejected') {
        const reasons = Array.isArray(decision.reasons)
          ? decision.reasons.map(String)
          : [JSON.stringify(decision)];
        return {
          version: '—',
          trainingJob,
          approval: 'Rejected (gate)',
          decision: reasons.join('; '),
          live: false,
        };
      }
      return undefined;
    },
    timeout,
  );
  const metrics = await evaluationMetrics(s3, names, trainingJob);
  if (row.approval === 'Rejected (gate)') handle.done(`not registered: ${row.decision}`);
  else handle.done(`version ${row.version} ${row.approval} (${describeMetrics(metrics)})`);
  return { ...row, metrics };
}

/** Accuracy and weighted F1 from the model-quality evaluation.json of a training job's model. */
async function evaluationMetrics(
  s3: S3Client,
  names: PipelineNames,
  trainingJob: string,
): Promise<Record<string, number>> {
  const evaluation = await readJson<Record<string, Record<string, { value?: unknown }>>>(
    s3,
    names.bucket,
    `${names.prefixes.evaluations}/${trainingJob}/${EVALUATION_FILE}`,
  );
  const metrics: Record<string, number> = {};
  for (const group of Object.values(evaluation ?? {})) {
    for (const name of ['accuracy', 'weighted_f1']) {
      const value = group?.[name]?.value;
      if (typeof value === 'number') metrics[name] = value;
    }
  }
  return metrics;
}

const describeMetrics = (metrics: Record<string, number>) =>
  Object.entries(metrics)
    .map(([key, value]) => `${key} ${value.toFixed(3)}`)
    .join(', ') || 'no metrics';

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
  } catch (error) {
    // Missing, or caught while the stage is still writing it (the local S3 writes objects in place): not yet.
    if ((error as { name?: string }).name === 'NoSuchKey' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
