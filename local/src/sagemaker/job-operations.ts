// SageMaker training and processing jobs: create (validated as AWS does), describe, list, stop; each job runs as
// a local process and every state change is emitted on the bus.
import path from 'node:path';
import { AwsError, validationError } from '../aws/errors.js';
import { ProcessTracker } from './containers.js';
import { runProcessingJob, runTrainingJob } from './jobs.js';
import { found, JOB_STATUSES, listOf, type Operations, type Plane, validateRole } from './plane.js';
import {
  arnOf,
  type Input,
  millis,
  type ProcessingJob,
  seconds,
  type TrainingJob,
  withoutUndefined,
} from './resources.js';
import { requireField, validateName } from './validation.js';

/** The jobs operations of the control plane. */
export function jobOperations(plane: Plane): Operations {
  return {
    CreateTrainingJob: (input) => createTrainingJob(plane, input),
    DescribeTrainingJob: (input) =>
      describeTrainingJob(plane, trainingJobOf(plane, validateName(input, 'TrainingJobName'))),
    ListTrainingJobs: (input) =>
      listOf(
        plane.trainingJobs.values(),
        input,
        'TrainingJobSummaries',
        (job) => ({
          TrainingJobName: job.name,
          TrainingJobArn: job.arn,
          CreationTime: seconds(job.creationTime),
          TrainingEndTime: seconds(job.endTime),
          LastModifiedTime: seconds(job.lastModifiedTime),
          TrainingJobStatus: job.status,
        }),
        { defaultSortOrder: 'Ascending', statuses: JOB_STATUSES },
      ),
    StopTrainingJob: (input) => {
      const name = validateName(input, 'TrainingJobName');
      const job = plane.trainingJobs.get(name);
      if (!job) throw new AwsError('ResourceNotFound', `Requested resource not found: training job ${name}`);
      stopJob(job, 'The training job is not in progress');
      job.secondaryStatus = 'Stopping';
      trainingChanged(plane, job);
      return {};
    },
    CreateProcessingJob: (input) => createProcessingJob(plane, input),
    DescribeProcessingJob: (input) =>
      describeProcessingJob(plane, processingJobOf(plane, validateName(input, 'ProcessingJobName'))),
    ListProcessingJobs: (input) =>
      listOf(
        plane.processingJobs.values(),
        input,
        'ProcessingJobSummaries',
        (job) => ({
          ProcessingJobName: job.name,
          ProcessingJobArn: job.arn,
          CreationTime: seconds(job.creationTime),
          ProcessingEndTime: seconds(job.endTime),
          LastModifiedTime: seconds(job.lastModifiedTime),
          ProcessingJobStatus: job.status,
          FailureReason: job.failureReason,
          ExitMessage: job.exitMessage,
        }),
        { defaultSortOrder: 'Ascending', statuses: JOB_STATUSES },
      ),
    StopProcessingJob: (input) => {
      const name = validateName(input, 'ProcessingJobName');
      const job = plane.processingJobs.get(name);
      if (!job)
        throw new AwsError('ResourceNotFound', `Requested resource not found: processing job ${name}`);
      stopJob(job, 'The processing job is not in progress');
      processingChanged(plane, job);
      return {};
    },
  };
}

function createTrainingJob(plane: Plane, input: Input): Input {
  const name = validateName(input, 'TrainingJobName');
  const algorithm = requireField<Input>(input, 'AlgorithmSpecification');
  if (!algorithm.TrainingImage && !algorithm.AlgorithmName) {
    throw validationError(
      'Either TrainingImage or AlgorithmName must be specified in AlgorithmSpecification.',
    );
  }
  validateRole(input);
  const output = requireField<Input>(input, 'OutputDataConfig');
  if (!/^s3:\/\/[^/]+/.test(String(output.S3OutputPath ?? ''))) {
    throw validationError(
      `1 validation error detected: Value '${String(output.S3OutputPath)}' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$`,
    );
  }
  requireField(input, 'ResourceConfig');
  requireField(input, 'StoppingCondition');
  for (const [key, value] of Object.entries((input.HyperParameters as Input | undefined) ?? {})) {
    if (typeof value !== 'string') throw validationError(`Hyperparameter ${key} must be a string`);
  }
  const base = newJob(plane, 'training', plane.trainingJobs, name, input);
  const job: TrainingJob = {
    ...base,
    secondaryStatus: 'Starting',
    transitions: [
      { Status: 'Starting', StartTime: base.creationTime, StatusMessage: 'Launching requested ML instances' },
    ],
  };
  const changed = (changedJob: TrainingJob) => trainingChanged(plane, changedJob);
  start(plane, plane.trainingJobs, job, changed, () => runTrainingJob(job, plane.context, { changed }));
  return { TrainingJobArn: job.arn };
}

function trainingJobOf(plane: Plane, name: string): TrainingJob {
  return found(plane.trainingJobs.get(name), 'Requested resource not found.');
}

function describeTrainingJob(
  _plane: Plane,
  job: TrainingJob,
  time: (date: Date | undefined) => number | undefined = seconds,
): Input {
  const request = job.request;
  return withoutUndefined({
    TrainingJobName: job.name,
    TrainingJobArn: job.arn,
    ModelArtifacts: { S3ModelArtifacts: job.modelArtifacts ?? '' },
    TrainingJobStatus: job.status,
    SecondaryStatus: job.secondaryStatus,
    FailureReason: job.failureReason,
    HyperParameters: request.HyperParameters ?? {},
    AlgorithmSpecification: { TrainingInputMode: 'File', ...(request.AlgorithmSpecification as Input) },
    RoleArn: request.RoleArn,
    InputDataConfig: request.InputDataConfig,
    OutputDataConfig: request.OutputDataConfig,
    ResourceConfig: request.ResourceConfig,
    VpcConfig: request.VpcConfig,
    StoppingCondition: request.StoppingCondition,
    Environment: request.Environment,
    CreationTime: time(job.creationTime),
    TrainingStartTime: time(job.startTime),
    TrainingEndTime: time(job.endTime),
    LastModifiedTime: time(job.lastModifiedTime),
    SecondaryStatusTransitions: job.transitions.map((transition) =>
      withoutUndefined({
        Status: transition.Status,
        StartTime: time(transition.StartTime),
        EndTime: time(transition.EndTime),
        StatusMessage: transition.StatusMessage,
      }),
    ),
    EnableNetworkIsolation: request.EnableNetworkIsolation ?? false,
    EnableInterContainerTrafficEncryption: request.EnableInterContainerTrafficEncryption ?? false,
    EnableManagedSpotTraining: request.EnableManagedSpotTraining ?? false,
    TrainingTimeInSeconds:
      job.startTime && job.endTime
        ? Math.round((job.endTime.getTime() - job.startTime.getTime()) / 1000)
        : undefined,
    BillableTimeInSeconds:
      job.startTime && job.endTime
        ? Math.max(1, Math.round((job.endTime.getTime() - job.startTime.getTime()) / 1000))
        : undefined,
  });
}

function trainingChanged(plane: Plane, job: TrainingJob): void {
  const detail = { ...describeTrainingJob(plane, job, millis), Tags: plane.tagMap(job.arn) };
  plane.context.bus.emit('aws.sagemaker', 'SageMaker Training Job State Change', detail, [job.arn]);
  const final = ['Completed', 'Failed', 'Stopped'].includes(job.status);
  if (final || job.secondaryStatus === 'Starting') {
    const took = job.endTime
      ? ` in ${((job.endTime.getTime() - job.creationTime.getTime()) / 1000).toFixed(1)}s`
      : '';
    plane.context.logger.info(
      'training',
      `${job.name} ${job.status}/${job.secondaryStatus}${took}${job.failureReason ? `: ${job.failureReason}` : ''} (log ${path.relative(process.cwd(), job.logFile)})`,
    );
  }
}

function createProcessingJob(plane: Plane, input: Input): Input {
  const name = validateName(input, 'ProcessingJobName');
  const app = requireField<Input>(input, 'AppSpecification');
  requireField(app, 'ImageUri');
  requireField(input, 'ProcessingResources');
  validateRole(input);
  const job: ProcessingJob = newJob(plane, 'processing', plane.processingJobs, name, input);
  const changed = (changedJob: ProcessingJob) => processingChanged(plane, changedJob);
  start(plane, plane.processingJobs, job, changed, () => runProcessingJob(job, plane.context, { changed }));
  return { ProcessingJobArn: job.arn };
}

function processingJobOf(plane: Plane, name: string): ProcessingJob {
  return found(plane.processingJobs.get(name), `Could not find requested job with name ${name}`);
}

function describeProcessingJob(
  _plane: Plane,
  job: ProcessingJob,
  time: (date: Date | undefined) => number | undefined = seconds,
): Input {
  const request = job.request;
  return withoutUndefined({
    ProcessingInputs: request.ProcessingInputs,
    ProcessingOutputConfig: request.ProcessingOutputConfig,
    ProcessingJobName: job.name,
    ProcessingResources: request.ProcessingResources,
    StoppingCondition: request.StoppingCondition,
    AppSpecification: request.AppSpecification,
    Environment: request.Environment,
    NetworkConfig: request.NetworkConfig,
    RoleArn: request.RoleArn,
    ExperimentConfig: request.ExperimentConfig,
    ProcessingJobArn: job.arn,
    ProcessingJobStatus: job.status,
    ExitMessage: job.exitMessage,
    FailureReason: job.failureReason,
    ProcessingEndTime: time(job.endTime),
    ProcessingStartTime: time(job.startTime),
    LastModifiedTime: time(job.lastModifiedTime),
    CreationTime: time(job.creationTime),
  });
}

function processingChanged(plane: Plane, job: ProcessingJob): void {
  const detail = { ...describeProcessingJob(plane, job, millis), Tags: plane.tagMap(job.arn) };
  plane.context.bus.emit('aws.sagemaker', 'SageMaker Processing Job State Change', detail, [job.arn]);
  plane.context.logger.info(
    'processing',
    `${job.name} ${job.status}${job.failureReason ? `: ${job.failureReason}` : ''} (log ${path.relative(process.cwd(), job.logFile)})`,
  );
}

/** A job of `kind` named `name`, InProgress (what both kinds hold); a name already taken is ResourceInUse, as AWS answers. */
function newJob(
  plane: Plane,
  kind: 'training' | 'processing',
  jobs: Map<string, unknown>,
  name: string,
  input: Input,
): ProcessingJob {
  const arn = arnOf(plane.context, `${kind}-job`, name);
  if (jobs.has(name)) {
    const Kind = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
    throw new AwsError(
      'ResourceInUse',
      `${Kind} job names must be unique within an AWS account and region, and a ${kind} job with this name already exists (${arn})`,
    );
  }
  const now = new Date();
  return {
    name,
    arn,
    request: input,
    status: 'InProgress',
    creationTime: now,
    lastModifiedTime: now,
    stopRequested: false,
    logFile: path.join(plane.context.dir, 'logs', `${kind}-jobs`, `${name}.log`),
  };
}

/** Keeps `job`, tags it, says it started, then runs it (the stack waits for the run when it stops). */
function start<J extends TrainingJob | ProcessingJob>(
  plane: Plane,
  jobs: Map<string, J>,
  job: J,
  changed: (job: J) => void,
  run: () => Promise<unknown>,
): void {
  jobs.set(job.name, job);
  plane.setTags(job.arn, job.request.Tags);
  changed(job);
  plane.track(run());
}

function stopJob(job: TrainingJob | ProcessingJob, message: string): void {
  if (job.status !== 'InProgress') throw validationError(`${message} (status ${job.status}).`);
  job.status = 'Stopping';
  job.stopRequested = true;
  job.lastModifiedTime = new Date();
  if (job.child) ProcessTracker.kill(job.child);
}
