/**
 * What a pipeline is doing, read from AWS (or the stack) with read-only calls: the registry's newest versions with
 * their metric and approval, what the endpoint serves and its status, the gate's newest decisions, the jobs in
 * flight, the newest failures, and the depth of every dead-letter queue. Bounded: a fixed number of calls
 * whatever the history (list calls ask for the newest few, sorted by the service).
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeEndpointConfigCommand,
  DescribeModelPackageCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  ListModelPackagesCommand,
  type ListModelPackagesCommandOutput,
  ListProcessingJobsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  DEAD_LETTER_OWNERS,
  DECISION_FILE,
  type Decision,
  EVALUATION_OUTPUT,
  LINEAGE_TAGS,
  type PipelineNames,
} from '@sagemaker-pipeline/shared/contracts';
import { isPipelineResource, TRAINING_JOB_KINDS } from '@sagemaker-pipeline/shared/naming';

export interface StatusOptions {
  sagemaker: SageMakerClient;
  s3: S3Client;
  sqs: SQSClient;
  names: Pick<PipelineNames, 'pipeline' | 'modelPackageGroup' | 'endpoint' | 'deadLetterQueues'>;
  /** How many of the newest versions, decisions and failures to show. Default 5. */
  newest?: number;
  now?: () => Date;
}

export interface VersionStatus {
  version: number;
  approval: string;
  created?: string;
  metric?: { path: string; value: string };
  gate?: string;
  trainingJob?: string;
  evaluationJob?: string;
  serving: boolean;
}

export interface EndpointStatus {
  name: string;
  /** `absent` when there is no endpoint of that name. */
  status: string;
  servingVersion?: number;
  configName?: string;
  /** The version an update under way deploys. */
  deployingVersion?: number;
  failureReason?: string;
  lastModified?: string;
}

export interface DecisionStatus {
  evaluationJob: string;
  finished?: string;
  decision: 'registered' | 'rejected' | 'undecided';
  version?: number | null;
  reasons?: string[];
}

export interface JobStatus {
  kind: 'training' | 'evaluation';
  name: string;
  status: string;
  detail?: string;
  at?: string;
}

export interface DeadLetterStatus {
  queue: string;
  /** undefined when the queue does not exist (the service is not deployed). */
  messages?: number;
}

export interface PipelineStatus {
  pipeline: string;
  at: string;
  endpoint: EndpointStatus;
  versions: VersionStatus[];
  decisions: DecisionStatus[];
  inFlight: JobStatus[];
  failures: JobStatus[];
  deadLetters: DeadLetterStatus[];
}

const iso = (date: Date | undefined) => date?.toISOString();
const errorName = (error: unknown) => (error as { name?: string }).name ?? '';

async function servedVersion(sagemaker: SageMakerClient, configName: string | undefined) {
  if (!configName) return undefined;
  try {
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
    );
    if (!config.EndpointConfigArn) return undefined;
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: config.EndpointConfigArn }));
    const version = tags.Tags?.find((tag) => tag.Key === LINEAGE_TAGS.version)?.Value;
    return version === undefined ? undefined : Number(version);
  } catch (error) {
    if (errorName(error) === 'ValidationException') return undefined; // the config was deleted meanwhile
    throw error;
  }
}

async function endpointStatus(sagemaker: SageMakerClient, name: string): Promise<EndpointStatus> {
  let endpoint: DescribeEndpointCommandOutput;
  try {
    endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  } catch (error) {
    // SageMaker answers ValidationException "Could not find endpoint" for an endpoint that does not exist
    if (errorName(error) === 'ValidationException') return { name, status: 'absent' };
    throw error;
  }
  // While Creating, the endpoint's config is the one being deployed; while Updating, the pending one is
  const creating = endpoint.EndpointStatus === 'Creating';
  const pending = creating
    ? endpoint.EndpointConfigName
    : endpoint.PendingDeploymentSummary?.EndpointConfigName;
  const servingVersion = creating ? undefined : await servedVersion(sagemaker, endpoint.EndpointConfigName);
  const deployingVersion = pending ? await servedVersion(sagemaker, pending) : undefined;
  return {
    name,
    status: endpoint.EndpointStatus ?? 'unknown',
    ...(servingVersion !== undefined ? { servingVersion } : {}),
    ...(endpoint.EndpointConfigName ? { configName: endpoint.EndpointConfigName } : {}),
    ...(deployingVersion !== undefined ? { deployingVersion } : {}),
    ...(endpoint.FailureReason ? { failureReason: endpoint.FailureReason } : {}),
    ...(endpoint.LastModifiedTime ? { lastModified: iso(endpoint.LastModifiedTime) } : {}),
  };
}

async function versions(
  sagemaker: SageMakerClient,
  group: string,
  newest: number,
  endpoint: EndpointStatus,
): Promise<VersionStatus[]> {
  let listed: ListModelPackagesCommandOutput;
  try {
    listed = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: newest,
      }),
    );
  } catch (error) {
    if (errorName(error) === 'ValidationException') return []; // no such group (infra not deployed)
    throw error;
  }
  const described = await Promise.all(
    (listed.ModelPackageSummaryList ?? []).map((summary) =>
      sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn })),
    ),
  );
  return described.map((pkg) => {
    const metadata = pkg.CustomerMetadataProperties ?? {};
    const version = pkg.ModelPackageVersion ?? 0;
    const path = metadata['metric-path'];
    const value = metadata['metric-value'];
    return {
      version,
      approval: pkg.ModelApprovalStatus ?? 'unknown',
      ...(pkg.CreationTime ? { created: iso(pkg.CreationTime) } : {}),
      ...(path && value ? { metric: { path, value } } : {}),
      ...(metadata.gate ? { gate: metadata.gate } : {}),
      ...(metadata['training-job'] ? { trainingJob: metadata['training-job'] } : {}),
      ...(metadata['evaluation-job'] ? { evaluationJob: metadata['evaluation-job'] } : {}),
      serving: endpoint.servingVersion === version,
    };
  });
}

async function readDecision(s3: S3Client, uri: string): Promise<Decision | undefined> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match?.[1]) return undefined;
  const key = `${(match[2] ?? '').replace(/\/+$/, '')}/${DECISION_FILE}`.replace(/^\//, '');
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: match[1], Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? '{}') as Decision;
  } catch (error) {
    if (error instanceof NoSuchKey || errorName(error) === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The gate's decisions on the newest Completed evaluations: decision.json beside each evaluation's output. */
async function decisions(
  sagemaker: SageMakerClient,
  s3: S3Client,
  pipeline: string,
  newest: number,
): Promise<DecisionStatus[]> {
  const listed = await sagemaker.send(
    new ListProcessingJobsCommand({
      NameContains: `${pipeline}-eval-`,
      StatusEquals: 'Completed',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: newest,
    }),
  );
  const jobs = (listed.ProcessingJobSummaries ?? []).filter((job) =>
    isPipelineResource(job.ProcessingJobName ?? '', pipeline, 'eval'),
  );
  return Promise.all(
    jobs.map(async (summary): Promise<DecisionStatus> => {
      const name = summary.ProcessingJobName ?? '';
      const job = await sagemaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
      const output = job.ProcessingOutputConfig?.Outputs?.find((o) => o.OutputName === EVALUATION_OUTPUT);
      const decision = output?.S3Output?.S3Uri ? await readDecision(s3, output.S3Output.S3Uri) : undefined;
      return {
        evaluationJob: name,
        ...(job.ProcessingEndTime ? { finished: iso(job.ProcessingEndTime) } : {}),
        decision: decision?.status ?? 'undecided',
        ...(decision?.status === 'registered' ? { version: decision.version ?? null } : {}),
        ...(decision?.reasons ? { reasons: decision.reasons } : {}),
      };
    }),
  );
}

/** Training jobs (train, retrain) and evaluations of the pipeline in `status`, newest first. */
async function jobs(
  sagemaker: SageMakerClient,
  pipeline: string,
  status: 'InProgress' | 'Failed',
  newest: number,
): Promise<JobStatus[]> {
  const query = {
    StatusEquals: status,
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    MaxResults: newest,
  } as const;
  const [training, processing] = await Promise.all([
    sagemaker.send(new ListTrainingJobsCommand({ ...query, NameContains: `${pipeline}-` })),
    sagemaker.send(new ListProcessingJobsCommand({ ...query, NameContains: `${pipeline}-eval-` })),
  ]);
  const trainingJobs = (training.TrainingJobSummaries ?? []).filter((job) =>
    isPipelineResource(job.TrainingJobName ?? '', pipeline, TRAINING_JOB_KINDS),
  );
  const evaluations = (processing.ProcessingJobSummaries ?? []).filter((job) =>
    isPipelineResource(job.ProcessingJobName ?? '', pipeline, 'eval'),
  );
  const failed = status === 'Failed';
  const found = await Promise.all([
    ...trainingJobs.map(async (job): Promise<JobStatus> => {
      const name = job.TrainingJobName ?? '';
      const described = failed
        ? await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }))
        : undefined;
      const detail = failed ? described?.FailureReason : job.SecondaryStatus;
      return {
        kind: 'training',
        name,
        status: job.TrainingJobStatus ?? status,
        ...(detail ? { detail } : {}),
        at: iso(failed ? (job.TrainingEndTime ?? job.LastModifiedTime) : job.CreationTime),
      };
    }),
    ...evaluations.map(
      async (job): Promise<JobStatus> => ({
        kind: 'evaluation',
        name: job.ProcessingJobName ?? '',
        status: job.ProcessingJobStatus ?? status,
        ...(job.FailureReason ? { detail: job.FailureReason } : {}),
        at: iso(failed ? (job.ProcessingEndTime ?? job.LastModifiedTime) : job.CreationTime),
      }),
    ),
  ]);
  return found.sort((a, b) => (b.at ?? '').localeCompare(a.at ?? '')).slice(0, newest);
}

async function deadLetters(sqs: SQSClient, queues: Record<string, string>): Promise<DeadLetterStatus[]> {
  return Promise.all(
    DEAD_LETTER_OWNERS.map(async (owner): Promise<DeadLetterStatus> => {
      const queue = queues[owner] ?? '';
      try {
        const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
        const attributes = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        );
        return { queue, messages: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) };
      } catch (error) {
        if (/QueueDoesNotExist|NonExistentQueue/.test(errorName(error))) return { queue };
        throw error;
      }
    }),
  );
}

export async function pipelineStatus(options: StatusOptions): Promise<PipelineStatus> {
  const { sagemaker, s3, sqs, names } = options;
  const newest = options.newest ?? 5;
  const endpoint = await endpointStatus(sagemaker, names.endpoint);
  const [registry, decided, inFlight, failures, queues] = await Promise.all([
    versions(sagemaker, names.modelPackageGroup, newest, endpoint),
    decisions(sagemaker, s3, names.pipeline, newest),
    jobs(sagemaker, names.pipeline, 'InProgress', newest),
    jobs(sagemaker, names.pipeline, 'Failed', newest),
    deadLetters(sqs, names.deadLetterQueues),
  ]);
  return {
    pipeline: names.pipeline,
    at: (options.now?.() ?? new Date()).toISOString(),
    endpoint,
    versions: registry,
    decisions: decided,
    inFlight,
    failures,
    deadLetters: queues,
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd(),
  );
}

/** `accuracy 0.957` for `multiclass_classification_metrics.accuracy.value` = 0.9571428571428572. */
function metric({ path, value }: { path: string; value: string }): string {
  const name =
    path
      .split('.')
      .filter((part) => part !== 'value')
      .at(-1) ?? path;
  const number = Number(value);
  return `${name} ${Number.isFinite(number) ? Number(number.toPrecision(3)) : value}`;
}

const time = (at: string | undefined) => (at ? at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

/** The status as plain text, a section per question. */
export function formatStatus(status: PipelineStatus): string {
  const lines = [`Pipeline ${status.pipeline}, at ${time(status.at)}`, ''];
  const { endpoint } = status;
  if (endpoint.status === 'absent') {
    lines.push(
      `Endpoint ${endpoint.name}: none yet (deploy-model creates it for the first Approved version)`,
    );
  } else {
    const serving =
      endpoint.servingVersion === undefined ? '' : `, serving version ${endpoint.servingVersion}`;
    const deploying =
      endpoint.deployingVersion === undefined ? '' : `, deploying version ${endpoint.deployingVersion}`;
    lines.push(
      `Endpoint ${endpoint.name}: ${endpoint.status}${serving}${deploying}, since ${time(endpoint.lastModified)}`,
    );
    if (endpoint.failureReason) lines.push(`  failure: ${endpoint.failureReason}`);
  }
  lines.push('', `Model versions (newest ${status.versions.length}):`);
  if (status.versions.length === 0) lines.push('  none registered');
  else
    lines.push(
      ...table([
        ['version', 'approval', 'created', 'metric', 'gate', 'training job', 'serving'],
        ...status.versions.map((v) => [
          String(v.version),
          v.approval,
          time(v.created),
          v.metric ? metric(v.metric) : '',
          v.gate ?? '',
          v.trainingJob ?? '',
          v.serving ? 'yes' : '',
        ]),
      ]),
    );
  lines.push('', 'Gate decisions (newest evaluations):');
  if (status.decisions.length === 0) lines.push('  none yet');
  for (const d of status.decisions) {
    const what =
      d.decision === 'registered'
        ? `registered as version ${d.version ?? '?'}`
        : d.decision === 'rejected'
          ? `rejected: ${(d.reasons ?? []).join('; ')}`
          : 'undecided (register-model has not decided; the sweep will)';
    lines.push(`  ${d.evaluationJob}  ${time(d.finished)}  ${what}`);
  }
  lines.push('', 'In flight:');
  if (status.inFlight.length === 0) lines.push('  nothing');
  lines.push(
    ...status.inFlight.map(
      (j) => `  ${j.kind} ${j.name} ${j.status}${j.detail ? ` (${j.detail})` : ''}, since ${time(j.at)}`,
    ),
  );
  lines.push('', 'Newest failures:');
  if (status.failures.length === 0) lines.push('  none');
  lines.push(
    ...status.failures.map(
      (j) => `  ${j.kind} ${j.name} ${j.status} at ${time(j.at)}: ${j.detail ?? 'no reason given'}`,
    ),
  );
  const waiting = status.deadLetters.filter((q) => (q.messages ?? 0) > 0);
  const missing = status.deadLetters.filter((q) => q.messages === undefined);
  lines.push('', 'Dead-letter queues:');
  if (waiting.length === 0) lines.push(`  all empty (${status.deadLetters.length - missing.length} queues)`);
  for (const q of waiting) {
    lines.push(
      `  ${q.queue}: ${q.messages} message(s) waiting; replay: pnpm run pipeline replay --queue ${q.queue}`,
    );
  }
  if (missing.length > 0) lines.push(`  not deployed: ${missing.map((q) => q.queue).join(', ')}`);
  return lines.join('\n');
}
