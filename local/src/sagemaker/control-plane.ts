// SageMaker control plane (AWS JSON 1.1, `X-Amz-Target: SageMaker.<Operation>`): the operations the stages call,
// with the API's request/response shapes, name validation, error types and status life cycles. Jobs and
// endpoints run as local processes; every state change is emitted on the bus in the shape AWS emits.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError, validationError } from '../aws/errors.js';
import { FaultInjector } from '../faults.js';
import { readBody, sendJson } from '../http-util.js';
import { ProcessTracker } from './containers.js';
import { runProcessingJob, runTrainingJob } from './jobs.js';
import { byCreationTime, byName, byStatus, type Listable, type ListRequest, listPage } from './listing.js';
import {
  arnOf,
  type Input,
  millis,
  type ProcessingJob,
  type ServiceContext,
  seconds,
  type TrainingJob,
  withoutUndefined,
} from './resources.js';
import { type Deployment, DeploymentError, deploy, invoke, stopDeployment } from './serving.js';
import { ENTITY_NAME, MODEL_NAME, requireField, validateEnum, validateName } from './validation.js';

interface Tag {
  Key: string;
  Value: string;
}

interface SimpleResource extends Listable {
  arn: string;
  request: Input;
}

interface ModelPackageGroup extends SimpleResource {}

interface ModelPackage extends SimpleResource {
  groupName: string;
  version: number;
  approvalStatus: string;
  approvalDescription?: string;
  lastModifiedTime: Date;
  customerMetadata?: Input;
}

interface Endpoint extends Listable {
  arn: string;
  configName: string;
  status: string;
  failureReason?: string;
  live?: Deployment;
  pendingConfigName?: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/;
const APPROVAL = ['Approved', 'Rejected', 'PendingManualApproval'] as const;

const EVENT_ENDPOINT_STATUS: Record<string, string> = {
  Creating: 'CREATING',
  InService: 'IN_SERVICE',
  Updating: 'UPDATING',
  RollingBack: 'ROLLING_BACK',
  Deleting: 'DELETING',
  Failed: 'FAILED',
};

const MAX_CALLS = 20_000;

const notFound = (message: string): AwsError => new AwsError('ValidationException', message);

export class SageMakerControlPlane {
  readonly trainingJobs = new Map<string, TrainingJob>();
  readonly processingJobs = new Map<string, ProcessingJob>();
  readonly groups = new Map<string, ModelPackageGroup>();
  readonly packages = new Map<string, ModelPackage>();
  readonly models = new Map<string, SimpleResource>();
  readonly endpointConfigs = new Map<string, SimpleResource>();
  readonly endpoints = new Map<string, Endpoint>();
  /** Every operation served over HTTP, in order (the stack's own set-up calls are not in it). */
  readonly calls: { operation: string; at: number; error?: string }[] = [];
  private readonly tags = new Map<string, Tag[]>();
  private readonly clientTokens = new Map<string, string>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly context: ServiceContext,
    /** Faults to inject into the calls this control plane serves over HTTP; none by default. */
    readonly faults = new FaultInjector(),
  ) {}

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const job of [...this.trainingJobs.values(), ...this.processingJobs.values()]) {
      if (job.child) {
        job.stopRequested = true;
        ProcessTracker.kill(job.child);
      }
    }
    for (const endpoint of this.endpoints.values()) if (endpoint.live) await stopDeployment(endpoint.live);
    await Promise.allSettled([...this.running]);
  }

  private track(promise: Promise<unknown>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }

  async handle(req: IncomingMessage, res: ServerResponse, _url: URL, requestId: string): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('SageMaker.') ? target.slice('SageMaker.'.length) : '';
    const raw = await readBody(req, 8 * 1024 * 1024);
    let input: unknown;
    try {
      input = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      throw new AwsError('SerializationException', 'Request body is not valid JSON');
    }
    // Every operation's input is a structure: `null`, a list or a string is refused as AWS does.
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsError('SerializationException', 'Request body must be a JSON object');
    }
    const handler = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
    if (!handler) {
      throw new AwsError(
        'UnknownOperationException',
        `The local SageMaker does not implement ${target.slice(0, 200) || 'this operation'}`,
      );
    }
    const call: (typeof this.calls)[number] = { operation, at: Date.now() };
    this.calls.push(call);
    if (this.calls.length > MAX_CALLS) this.calls.splice(0, this.calls.length - MAX_CALLS);
    let output: Input;
    try {
      const fault = this.faults.sageMakerFault(operation, input as Input);
      if (fault) throw fault;
      output = await handler(input as Input);
    } catch (error) {
      call.error = error instanceof AwsError ? error.code : String(error);
      throw error;
    }
    sendJson(res, 200, output, { 'x-amzn-requestid': requestId }, 'application/x-amz-json-1.1');
  }

  /** Runs one control-plane operation for the stack itself (resources that CloudFormation declares). */
  async call(operation: string, input: Input): Promise<unknown> {
    const handler = this.operations[operation];
    if (!handler)
      throw new AwsError('UnknownOperationException', `The local SageMaker does not implement ${operation}`);
    return handler(input);
  }

  /** SageMaker Runtime: POST /endpoints/<name>/invocations */
  handleRuntime(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const name = decodeURIComponent(url.pathname.split('/')[2] ?? '');
    const endpoint = this.endpoints.get(name);
    if (!endpoint?.live || !['InService', 'Updating'].includes(endpoint.status)) {
      req.resume();
      throw new AwsError('ValidationError', `Endpoint ${name} of account ${this.context.account} not found.`);
    }
    if (!url.pathname.endsWith('/invocations')) {
      throw new AwsError('ValidationError', 'The local stack serves only synchronous InvokeEndpoint');
    }
    return invoke(this.context, endpoint.live, name, req, res, requestId);
  }

  private readonly operations: Record<string, (input: Input) => Promise<Input> | Input> = {
    CreateTrainingJob: (input) => this.createTrainingJob(input),
    DescribeTrainingJob: (input) =>
      this.describeTrainingJob(this.trainingJob(validateName(input, 'TrainingJobName'))),
    ListTrainingJobs: (input) => {
      const { page, nextToken } = listPage(this.trainingJobs.values(), input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime, Status: byStatus },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Ascending',
      });
      return withoutUndefined({
        TrainingJobSummaries: page.map((job) =>
          withoutUndefined({
            TrainingJobName: job.name,
            TrainingJobArn: job.arn,
            CreationTime: seconds(job.creationTime),
            TrainingEndTime: seconds(job.endTime),
            LastModifiedTime: seconds(job.lastModifiedTime),
            TrainingJobStatus: job.status,
          }),
        ),
        NextToken: nextToken,
      });
    },
    StopTrainingJob: (input) => {
      const name = validateName(input, 'TrainingJobName');
      const job = this.trainingJobs.get(name);
      if (!job) throw new AwsError('ResourceNotFound', `Requested resource not found: training job ${name}`);
      this.stopJob(job, 'The training job is not in progress');
      job.secondaryStatus = 'Stopping';
      this.trainingChanged(job);
      return {};
    },
    CreateProcessingJob: (input) => this.createProcessingJob(input),
    DescribeProcessingJob: (input) =>
      this.describeProcessingJob(this.processingJob(validateName(input, 'ProcessingJobName'))),
    ListProcessingJobs: (input) => {
      const { page, nextToken } = listPage(this.processingJobs.values(), input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime, Status: byStatus },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Ascending',
      });
      return withoutUndefined({
        ProcessingJobSummaries: page.map((job) =>
          withoutUndefined({
            ProcessingJobName: job.name,
            ProcessingJobArn: job.arn,
            CreationTime: seconds(job.creationTime),
            ProcessingEndTime: seconds(job.endTime),
            LastModifiedTime: seconds(job.lastModifiedTime),
            ProcessingJobStatus: job.status,
            FailureReason: job.failureReason,
            ExitMessage: job.exitMessage,
          }),
        ),
        NextToken: nextToken,
      });
    },
    StopProcessingJob: (input) => {
      const name = validateName(input, 'ProcessingJobName');
      const job = this.processingJobs.get(name);
      if (!job)
        throw new AwsError('ResourceNotFound', `Requested resource not found: processing job ${name}`);
      this.stopJob(job, 'The processing job is not in progress');
      this.processingChanged(job);
      return {};
    },
    CreateModelPackageGroup: (input) => {
      const name = validateName(input, 'ModelPackageGroupName');
      const arn = arnOf(this.context, 'model-package-group', name);
      if (this.groups.has(name)) throw validationError(`Model Package Group already exists: ${arn}`);
      const now = new Date();
      this.groups.set(name, {
        name,
        arn,
        request: input,
        creationTime: now,
        lastModifiedTime: now,
        status: 'Completed',
      });
      this.setTags(arn, input.Tags);
      return { ModelPackageGroupArn: arn };
    },
    DescribeModelPackageGroup: (input) => {
      const group = this.group(String(requireField(input, 'ModelPackageGroupName')));
      return withoutUndefined({
        ModelPackageGroupName: group.name,
        ModelPackageGroupArn: group.arn,
        ModelPackageGroupDescription: group.request.ModelPackageGroupDescription,
        CreationTime: seconds(group.creationTime),
        CreatedBy: {},
        ModelPackageGroupStatus: 'Completed',
      });
    },
    ListModelPackageGroups: (input) => {
      const { page, nextToken } = listPage(this.groups.values(), input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Ascending',
      });
      return withoutUndefined({
        ModelPackageGroupSummaryList: page.map((group) =>
          withoutUndefined({
            ModelPackageGroupName: group.name,
            ModelPackageGroupArn: group.arn,
            ModelPackageGroupDescription: group.request.ModelPackageGroupDescription,
            CreationTime: seconds(group.creationTime),
            ModelPackageGroupStatus: 'Completed',
          }),
        ),
        NextToken: nextToken,
      });
    },
    DeleteModelPackageGroup: (input) => {
      const group = this.group(String(requireField(input, 'ModelPackageGroupName')));
      if ([...this.packages.values()].some((pkg) => pkg.groupName === group.name)) {
        throw new AwsError('ConflictException', `Model Package Group ${group.name} still has model packages`);
      }
      this.groups.delete(group.name);
      return {};
    },
    CreateModelPackage: (input) => this.createModelPackage(input),
    DescribeModelPackage: (input) =>
      this.describeModelPackage(this.modelPackage(String(requireField(input, 'ModelPackageName')))),
    ListModelPackages: (input) => {
      const groupFilter = input.ModelPackageGroupName as string | undefined;
      const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL);
      const type = validateEnum(input, 'ModelPackageType', ['Versioned', 'Unversioned', 'Both']);
      const candidates = [...this.packages.values()].filter(
        (pkg) =>
          (groupFilter === undefined ||
            pkg.groupName === groupFilter ||
            this.groups.get(pkg.groupName)?.arn === groupFilter) &&
          (approval === undefined || pkg.approvalStatus === approval) &&
          type !== 'Unversioned',
      );
      const { page, nextToken } = listPage(candidates, input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Ascending',
      });
      return withoutUndefined({
        ModelPackageSummaryList: page.map((pkg) =>
          withoutUndefined({
            ModelPackageGroupName: pkg.groupName,
            ModelPackageVersion: pkg.version,
            ModelPackageArn: pkg.arn,
            ModelPackageDescription: pkg.request.ModelPackageDescription,
            CreationTime: seconds(pkg.creationTime),
            ModelPackageStatus: 'Completed',
            ModelApprovalStatus: pkg.approvalStatus,
          }),
        ),
        NextToken: nextToken,
      });
    },
    UpdateModelPackage: (input) => {
      const arn = String(requireField(input, 'ModelPackageArn'));
      const pkg = this.modelPackage(arn);
      const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL);
      const changed = approval !== undefined && approval !== pkg.approvalStatus;
      if (approval) pkg.approvalStatus = approval;
      if (input.ApprovalDescription !== undefined)
        pkg.approvalDescription = String(input.ApprovalDescription);
      if (input.CustomerMetadataProperties !== undefined) {
        pkg.customerMetadata = {
          ...(pkg.customerMetadata ?? {}),
          ...(input.CustomerMetadataProperties as Input),
        };
      }
      for (const key of (input.CustomerMetadataPropertiesToRemove as string[] | undefined) ?? [])
        delete pkg.customerMetadata?.[key];
      pkg.lastModifiedTime = new Date();
      if (changed) this.modelPackageChanged(pkg);
      return { ModelPackageArn: pkg.arn };
    },
    CreateModel: (input) => {
      const name = validateName(input, 'ModelName', MODEL_NAME);
      const arn = arnOf(this.context, 'model', name);
      if (this.models.has(name)) throw validationError(`Cannot create already existing model "${arn}".`);
      if (!input.PrimaryContainer && !input.Containers) {
        throw validationError('Either PrimaryContainer or Containers must be specified.');
      }
      if (input.ExecutionRoleArn !== undefined && !ROLE_ARN.test(String(input.ExecutionRoleArn))) {
        throw validationError(
          `1 validation error detected: Value '${String(input.ExecutionRoleArn)}' at 'executionRoleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
        );
      }
      const now = new Date();
      this.models.set(name, { name, arn, request: input, creationTime: now, lastModifiedTime: now });
      this.setTags(arn, input.Tags);
      return { ModelArn: arn };
    },
    DescribeModel: (input) => {
      const name = String(requireField(input, 'ModelName'));
      const model = this.models.get(name);
      if (!model) throw notFound(`Could not find model "${arnOf(this.context, 'model', name)}".`);
      return withoutUndefined({
        ModelName: model.name,
        ModelArn: model.arn,
        PrimaryContainer: model.request.PrimaryContainer,
        Containers: model.request.Containers,
        ExecutionRoleArn: model.request.ExecutionRoleArn,
        EnableNetworkIsolation: model.request.EnableNetworkIsolation ?? false,
        CreationTime: seconds(model.creationTime),
      });
    },
    ListModels: (input) => {
      const { page, nextToken } = listPage(this.models.values(), input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Descending',
      });
      return withoutUndefined({
        Models: page.map((model) => ({
          ModelName: model.name,
          ModelArn: model.arn,
          CreationTime: seconds(model.creationTime),
        })),
        NextToken: nextToken,
      });
    },
    DeleteModel: (input) => {
      const name = String(requireField(input, 'ModelName'));
      if (!this.models.delete(name))
        throw notFound(`Could not find model "${arnOf(this.context, 'model', name)}".`);
      return {};
    },
    CreateEndpointConfig: (input) => {
      const name = validateName(input, 'EndpointConfigName');
      const arn = arnOf(this.context, 'endpoint-config', name);
      if (this.endpointConfigs.has(name))
        throw validationError(`Cannot create already existing endpoint configuration "${arn}".`);
      const variants = requireField<Input[]>(input, 'ProductionVariants');
      if (!Array.isArray(variants) || variants.length === 0) {
        throw validationError(
          "1 validation error detected: Value '[]' at 'productionVariants' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      for (const variant of variants) {
        const modelName = String(variant.ModelName ?? '');
        if (!this.models.has(modelName))
          throw validationError(`Could not find model "${arnOf(this.context, 'model', modelName)}".`);
      }
      const now = new Date();
      this.endpointConfigs.set(name, { name, arn, request: input, creationTime: now, lastModifiedTime: now });
      this.setTags(arn, input.Tags);
      return { EndpointConfigArn: arn };
    },
    DescribeEndpointConfig: (input) => {
      const config = this.endpointConfig(String(requireField(input, 'EndpointConfigName')));
      return withoutUndefined({
        EndpointConfigName: config.name,
        EndpointConfigArn: config.arn,
        ProductionVariants: config.request.ProductionVariants,
        DataCaptureConfig: config.request.DataCaptureConfig,
        KmsKeyId: config.request.KmsKeyId,
        CreationTime: seconds(config.creationTime),
      });
    },
    DeleteEndpointConfig: (input) => {
      const name = String(requireField(input, 'EndpointConfigName'));
      this.endpointConfig(name);
      this.endpointConfigs.delete(name);
      return {};
    },
    CreateEndpoint: (input) => this.createEndpoint(input),
    UpdateEndpoint: (input) => this.updateEndpoint(input),
    DescribeEndpoint: (input) =>
      this.describeEndpoint(this.endpoint(String(requireField(input, 'EndpointName')))),
    ListEndpoints: (input) => {
      const { page, nextToken } = listPage(this.endpoints.values(), input as ListRequest & Input, {
        sortKeys: { Name: byName, CreationTime: byCreationTime, Status: byStatus },
        defaultSortBy: 'CreationTime',
        defaultSortOrder: 'Descending',
      });
      return withoutUndefined({
        Endpoints: page.map((endpoint) => ({
          EndpointName: endpoint.name,
          EndpointArn: endpoint.arn,
          CreationTime: seconds(endpoint.creationTime),
          LastModifiedTime: seconds(endpoint.lastModifiedTime),
          EndpointStatus: endpoint.status,
        })),
        NextToken: nextToken,
      });
    },
    DeleteEndpoint: async (input) => {
      const endpoint = this.endpoint(String(requireField(input, 'EndpointName')));
      endpoint.status = 'Deleting';
      endpoint.lastModifiedTime = new Date();
      this.endpointChanged(endpoint);
      this.endpoints.delete(endpoint.name);
      if (endpoint.live) this.track(stopDeployment(endpoint.live));
      endpoint.live = undefined;
      return {};
    },
    AddTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const tags = requireField<Tag[]>(input, 'Tags');
      this.setTags(arn, tags, true);
      return { Tags: tags };
    },
    ListTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const tags = this.tags.get(arn) ?? [];
      const offset = input.NextToken
        ? Number(Buffer.from(String(input.NextToken), 'base64url').toString('utf8'))
        : 0;
      if (!Number.isInteger(offset) || offset < 0) throw validationError('Invalid pagination token');
      const max = Number(input.MaxResults ?? 50);
      const page = tags.slice(offset, offset + max);
      const next =
        offset + max < tags.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
      return withoutUndefined({ Tags: page, NextToken: next });
    },
    DeleteTags: (input) => {
      const arn = String(requireField(input, 'ResourceArn'));
      this.requireArn(arn);
      const keys = new Set(requireField<string[]>(input, 'TagKeys'));
      this.tags.set(
        arn,
        (this.tags.get(arn) ?? []).filter((tag) => !keys.has(tag.Key)),
      );
      return {};
    },
  };

  private allArns(): Set<string> {
    const arns = new Set<string>();
    for (const collection of [
      this.trainingJobs,
      this.processingJobs,
      this.groups,
      this.packages,
      this.models,
      this.endpointConfigs,
      this.endpoints,
    ]) {
      for (const item of collection.values()) arns.add((item as { arn: string }).arn);
    }
    return arns;
  }

  private requireArn(arn: string): void {
    if (!this.allArns().has(arn)) throw notFound(`Resource ${arn} does not exist.`);
  }

  private setTags(arn: string, tags: unknown, merge = false): void {
    if (tags === undefined) return;
    if (!Array.isArray(tags)) throw validationError('Tags must be a list');
    const existing = merge ? (this.tags.get(arn) ?? []) : [];
    const byKey = new Map(existing.map((tag) => [tag.Key, tag] as const));
    for (const tag of tags as Tag[]) {
      if (typeof tag.Key !== 'string' || tag.Key.length < 1 || tag.Key.length > 128) {
        throw validationError(
          "1 validation error detected: Value at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128",
        );
      }
      byKey.set(tag.Key, { Key: tag.Key, Value: String(tag.Value ?? '') });
    }
    if (byKey.size > 50) throw new AwsError('ResourceLimitExceeded', 'A resource can have at most 50 tags');
    this.tags.set(arn, [...byKey.values()]);
  }

  private tagMap(arn: string): Record<string, string> {
    return Object.fromEntries((this.tags.get(arn) ?? []).map((tag) => [tag.Key, tag.Value]));
  }

  private stopJob(job: TrainingJob | ProcessingJob, message: string): void {
    if (job.status !== 'InProgress') throw validationError(`${message} (status ${job.status}).`);
    job.status = 'Stopping';
    job.stopRequested = true;
    job.lastModifiedTime = new Date();
    if (job.child) ProcessTracker.kill(job.child);
  }

  private validateRole(input: Input): void {
    const role = String(requireField(input, 'RoleArn'));
    if (!ROLE_ARN.test(role)) {
      throw validationError(
        `1 validation error detected: Value '${role}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
      );
    }
  }

  // Training jobs

  private createTrainingJob(input: Input): Input {
    const name = validateName(input, 'TrainingJobName');
    const algorithm = requireField<Input>(input, 'AlgorithmSpecification');
    if (!algorithm.TrainingImage && !algorithm.AlgorithmName) {
      throw validationError(
        'Either TrainingImage or AlgorithmName must be specified in AlgorithmSpecification.',
      );
    }
    this.validateRole(input);
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
    const arn = arnOf(this.context, 'training-job', name);
    if (this.trainingJobs.has(name)) {
      throw new AwsError(
        'ResourceInUse',
        `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`,
      );
    }
    const now = new Date();
    const job: TrainingJob = {
      name,
      arn,
      request: input,
      status: 'InProgress',
      secondaryStatus: 'Starting',
      transitions: [
        { Status: 'Starting', StartTime: now, StatusMessage: 'Launching requested ML instances' },
      ],
      creationTime: now,
      lastModifiedTime: now,
      stopRequested: false,
      logFile: path.join(this.context.dir, 'logs', 'training-jobs', `${name}.log`),
    };
    this.trainingJobs.set(name, job);
    this.setTags(arn, input.Tags);
    this.trainingChanged(job);
    this.track(runTrainingJob(job, this.context, { changed: (changed) => this.trainingChanged(changed) }));
    return { TrainingJobArn: arn };
  }

  private trainingJob(name: string): TrainingJob {
    const job = this.trainingJobs.get(name);
    if (!job) throw notFound('Requested resource not found.');
    return job;
  }

  private describeTrainingJob(
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

  private trainingChanged(job: TrainingJob): void {
    const detail = { ...this.describeTrainingJob(job, millis), Tags: this.tagMap(job.arn) };
    this.context.bus.emit('aws.sagemaker', 'SageMaker Training Job State Change', detail, [job.arn]);
    const final = ['Completed', 'Failed', 'Stopped'].includes(job.status);
    if (final || job.secondaryStatus === 'Starting') {
      const took = job.endTime
        ? ` in ${((job.endTime.getTime() - job.creationTime.getTime()) / 1000).toFixed(1)}s`
        : '';
      this.context.logger.info(
        'training',
        `${job.name} ${job.status}/${job.secondaryStatus}${took}${job.failureReason ? `: ${job.failureReason}` : ''} (log ${path.relative(process.cwd(), job.logFile)})`,
      );
    }
  }

  // Processing jobs

  private createProcessingJob(input: Input): Input {
    const name = validateName(input, 'ProcessingJobName');
    const app = requireField<Input>(input, 'AppSpecification');
    requireField(app, 'ImageUri');
    requireField(input, 'ProcessingResources');
    this.validateRole(input);
    const arn = arnOf(this.context, 'processing-job', name);
    if (this.processingJobs.has(name)) {
      throw new AwsError(
        'ResourceInUse',
        `Processing job names must be unique within an AWS account and region, and a processing job with this name already exists (${arn})`,
      );
    }
    const now = new Date();
    const job: ProcessingJob = {
      name,
      arn,
      request: input,
      status: 'InProgress',
      creationTime: now,
      lastModifiedTime: now,
      stopRequested: false,
      logFile: path.join(this.context.dir, 'logs', 'processing-jobs', `${name}.log`),
    };
    this.processingJobs.set(name, job);
    this.setTags(arn, input.Tags);
    this.processingChanged(job);
    this.track(
      runProcessingJob(job, this.context, { changed: (changed) => this.processingChanged(changed) }),
    );
    return { ProcessingJobArn: arn };
  }

  private processingJob(name: string): ProcessingJob {
    const job = this.processingJobs.get(name);
    if (!job) throw notFound(`Could not find requested job with name ${name}`);
    return job;
  }

  private describeProcessingJob(
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

  private processingChanged(job: ProcessingJob): void {
    const detail = { ...this.describeProcessingJob(job, millis), Tags: this.tagMap(job.arn) };
    this.context.bus.emit('aws.sagemaker', 'SageMaker Processing Job State Change', detail, [job.arn]);
    this.context.logger.info(
      'processing',
      `${job.name} ${job.status}${job.failureReason ? `: ${job.failureReason}` : ''} (log ${path.relative(process.cwd(), job.logFile)})`,
    );
  }

  // Model registry

  private group(nameOrArn: string): ModelPackageGroup {
    const group =
      this.groups.get(nameOrArn) ??
      [...this.groups.values()].find((candidate) => candidate.arn === nameOrArn);
    if (!group) throw notFound(`ModelPackageGroup ${nameOrArn} does not exist.`);
    return group;
  }

  private modelPackage(arn: string): ModelPackage {
    const pkg = this.packages.get(arn);
    if (!pkg) throw notFound(`ModelPackage ${arn} does not exist.`);
    return pkg;
  }

  private createModelPackage(input: Input): Input {
    const token = input.ClientToken as string | undefined;
    if (token !== undefined && (typeof token !== 'string' || !/^[a-zA-Z0-9-]{1,36}$/.test(token))) {
      throw validationError(
        `1 validation error detected: Value '${String(token)}' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$ and have length less than or equal to 36`,
      );
    }
    if (token && this.clientTokens.has(token)) return { ModelPackageArn: this.clientTokens.get(token) };
    if (input.ModelPackageName !== undefined && input.ModelPackageGroupName !== undefined) {
      throw validationError(
        'Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.',
      );
    }
    if (input.ModelPackageGroupName === undefined) {
      throw validationError(
        'The local stack supports versioned model packages only: pass ModelPackageGroupName.',
      );
    }
    const group = this.group(String(input.ModelPackageGroupName));
    const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL) ?? 'PendingManualApproval';
    const version = [...this.packages.values()].filter((pkg) => pkg.groupName === group.name).length + 1;
    const arn = `${arnOf(this.context, 'model-package', group.name)}/${version}`;
    const now = new Date();
    const pkg: ModelPackage = {
      name: group.name,
      arn,
      request: input,
      groupName: group.name,
      version,
      approvalStatus: approval,
      creationTime: now,
      lastModifiedTime: now,
      status: 'Completed',
      customerMetadata: input.CustomerMetadataProperties as Input | undefined,
    };
    this.packages.set(arn, pkg);
    if (token) this.clientTokens.set(token, arn);
    this.setTags(arn, input.Tags);
    this.modelPackageChanged(pkg);
    return { ModelPackageArn: arn };
  }

  private describeModelPackage(pkg: ModelPackage): Input {
    return withoutUndefined({
      ModelPackageName: pkg.groupName,
      ModelPackageGroupName: pkg.groupName,
      ModelPackageVersion: pkg.version,
      ModelPackageArn: pkg.arn,
      ModelPackageDescription: pkg.request.ModelPackageDescription,
      CreationTime: seconds(pkg.creationTime),
      InferenceSpecification: pkg.request.InferenceSpecification,
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: pkg.request.CertifyForMarketplace ?? false,
      ModelApprovalStatus: pkg.approvalStatus,
      ApprovalDescription: pkg.approvalDescription,
      MetadataProperties: pkg.request.MetadataProperties,
      ModelMetrics: pkg.request.ModelMetrics,
      CustomerMetadataProperties: pkg.customerMetadata,
      Domain: pkg.request.Domain,
      Task: pkg.request.Task,
      SamplePayloadUrl: pkg.request.SamplePayloadUrl,
      LastModifiedTime: seconds(pkg.lastModifiedTime),
    });
  }

  private modelPackageChanged(pkg: ModelPackage): void {
    const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const detail = {
      ...this.describeModelPackage(pkg),
      CreationTime: iso(pkg.creationTime),
      LastModifiedTime: iso(pkg.lastModifiedTime),
      Tags: this.tagMap(pkg.arn),
    };
    this.context.bus.emit('aws.sagemaker', 'SageMaker Model Package State Change', detail, [pkg.arn]);
    this.context.logger.info('registry', `${pkg.groupName}/${pkg.version} ${pkg.approvalStatus}`);
  }

  // Models, endpoint configs, endpoints

  private endpointConfig(name: string): SimpleResource {
    const config = this.endpointConfigs.get(name);
    if (!config)
      throw notFound(
        `Could not find endpoint configuration "${arnOf(this.context, 'endpoint-config', name)}".`,
      );
    return config;
  }

  private endpoint(name: string): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw notFound(`Could not find endpoint "${arnOf(this.context, 'endpoint', name)}".`);
    return endpoint;
  }

  private modelsByName(): Map<string, Input> {
    return new Map([...this.models.values()].map((model) => [model.name, model.request] as const));
  }

  private createEndpoint(input: Input): Input {
    const name = validateName(input, 'EndpointName');
    const configName = validateName(input, 'EndpointConfigName');
    const arn = arnOf(this.context, 'endpoint', name);
    if (this.endpoints.has(name)) throw validationError(`Cannot create already existing endpoint "${arn}".`);
    const config = this.endpointConfig(configName);
    const now = new Date();
    const endpoint: Endpoint = {
      name,
      arn,
      configName,
      status: 'Creating',
      creationTime: now,
      lastModifiedTime: now,
    };
    this.endpoints.set(name, endpoint);
    this.setTags(arn, input.Tags);
    this.endpointChanged(endpoint);
    const settle = this.settleAfter(this.context.endpointDeployMs);
    this.track(
      deploy(this.context, name, config.request, this.modelsByName()).then(
        async (deployment) => {
          await settle();
          if (this.endpoints.get(name) !== endpoint || this.stopping.signal.aborted) {
            void stopDeployment(deployment);
            return;
          }
          endpoint.live = deployment;
          endpoint.status = 'InService';
          endpoint.lastModifiedTime = new Date();
          this.endpointChanged(endpoint);
        },
        async (error: Error) => {
          await settle();
          endpoint.status = 'Failed';
          endpoint.failureReason = error.message.slice(0, 1024);
          endpoint.lastModifiedTime = new Date();
          this.endpointChanged(endpoint);
        },
      ),
    );
    return { EndpointArn: arn };
  }

  private updateEndpoint(input: Input): Input {
    const endpoint = this.endpoint(String(requireField(input, 'EndpointName')));
    const configName = validateName(input, 'EndpointConfigName');
    if (endpoint.status !== 'InService') {
      throw validationError(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    }
    const config = this.endpointConfig(configName);
    endpoint.status = 'Updating';
    endpoint.pendingConfigName = configName;
    endpoint.lastModifiedTime = new Date();
    this.endpointChanged(endpoint);
    // AWS's update takes minutes (the time scale), or longer (an injected fault); a new fleet may fail /ping
    const settle = this.settleAfter(
      Math.max(this.context.endpointDeployMs, this.faults.updatingHoldMs(endpoint.name)),
    );
    const failPing = this.faults.failPingOnUpdate(endpoint.name);
    this.track(
      deploy(this.context, endpoint.name, config.request, this.modelsByName(), { failPing }).then(
        async (deployment) => {
          await settle();
          if (this.stopping.signal.aborted) {
            await stopDeployment(deployment);
            return;
          }
          const old = endpoint.live;
          endpoint.live = deployment;
          endpoint.configName = configName;
          endpoint.pendingConfigName = undefined;
          endpoint.failureReason = undefined;
          endpoint.status = 'InService';
          endpoint.lastModifiedTime = new Date();
          this.endpointChanged(endpoint);
          if (old) await stopDeployment(old);
        },
        async (error: Error) => {
          await settle();
          // blue/green: the old fleet kept serving; the endpoint returns to it with the reason
          endpoint.pendingConfigName = undefined;
          endpoint.status = 'InService';
          endpoint.failureReason =
            error instanceof DeploymentError ? error.message.slice(0, 1024) : String(error);
          endpoint.lastModifiedTime = new Date();
          this.endpointChanged(endpoint);
        },
      ),
    );
    return { EndpointArn: endpoint.arn };
  }

  /** A wait that ends `ms` after now (not after its own call), or when the stack stops. */
  private settleAfter(ms: number): () => Promise<void> {
    const settleAt = Date.now() + ms;
    return () =>
      sleep(Math.max(0, settleAt - Date.now()), undefined, { signal: this.stopping.signal }).catch(() => {});
  }

  private productionVariants(
    endpoint: Endpoint,
    time: (date: Date | undefined) => number | undefined,
  ): Input[] | undefined {
    const config = this.endpointConfigs.get(endpoint.configName);
    const variants = (config?.request.ProductionVariants as Input[] | undefined) ?? [];
    if (!endpoint.live) return undefined;
    return variants.map((variant) => {
      const live = endpoint.live?.variants.find((candidate) => candidate.variantName === variant.VariantName);
      return withoutUndefined({
        VariantName: variant.VariantName,
        DeployedImages: live
          ? [
              {
                SpecifiedImage: live.specifiedImage,
                ResolvedImage: live.resolvedImage,
                ResolutionTime: time(live.resolutionTime),
              },
            ]
          : undefined,
        CurrentWeight: Number(variant.InitialVariantWeight ?? 1),
        DesiredWeight: Number(variant.InitialVariantWeight ?? 1),
        CurrentInstanceCount: Number(variant.InitialInstanceCount ?? 1),
        DesiredInstanceCount: Number(variant.InitialInstanceCount ?? 1),
      });
    });
  }

  private describeEndpoint(endpoint: Endpoint): Input {
    return withoutUndefined({
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.configName,
      ProductionVariants: this.productionVariants(endpoint, seconds),
      EndpointStatus: endpoint.status,
      FailureReason: endpoint.failureReason,
      CreationTime: seconds(endpoint.creationTime),
      LastModifiedTime: seconds(endpoint.lastModifiedTime),
      PendingDeploymentSummary: endpoint.pendingConfigName
        ? { EndpointConfigName: endpoint.pendingConfigName, StartTime: seconds(endpoint.lastModifiedTime) }
        : undefined,
    });
  }

  private endpointChanged(endpoint: Endpoint): void {
    const config = this.endpointConfigs.get(endpoint.configName);
    const detail = withoutUndefined({
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.configName,
      ProductionVariants: ((config?.request.ProductionVariants as Input[] | undefined) ?? []).map(
        (variant) => ({
          VariantName: variant.VariantName,
          DesiredWeight: Number(variant.InitialVariantWeight ?? 1),
          DesiredInstanceCount: Number(variant.InitialInstanceCount ?? 1),
        }),
      ),
      EndpointStatus: EVENT_ENDPOINT_STATUS[endpoint.status] ?? endpoint.status.toUpperCase(),
      FailureReason: endpoint.failureReason,
      CreationTime: millis(endpoint.creationTime),
      LastModifiedTime: millis(endpoint.lastModifiedTime),
      Tags: this.tagMap(endpoint.arn),
    });
    this.context.bus.emit('aws.sagemaker', 'SageMaker Endpoint State Change', detail, [endpoint.arn]);
    this.context.logger.info(
      'endpoint',
      `${endpoint.name} ${endpoint.status} (${endpoint.pendingConfigName ?? endpoint.configName})${endpoint.failureReason ? `: ${endpoint.failureReason}` : ''}`,
    );
  }
}

export { ENTITY_NAME };
