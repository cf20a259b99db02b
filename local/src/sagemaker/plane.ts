// What the control plane's operations share: the resources it keeps, the plane they act on (its state, tags and
// background work), and the shapes every family of operations repeats (not found, lists, roles).
import { AwsError, validationError } from '../aws/errors.js';
import type { FaultInjector } from '../faults.js';
import { byCreationTime, byName, byStatus, type Listable, type ListRequest, listPage } from './listing.js';
import {
  type Input,
  type ProcessingJob,
  type ServiceContext,
  type TrainingJob,
  withoutUndefined,
} from './resources.js';
import type { Deployment } from './serving.js';
import { requireField } from './validation.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface SimpleResource extends Listable {
  arn: string;
  request: Input;
}

export interface ModelPackageGroup extends SimpleResource {}

export interface ModelPackage extends SimpleResource {
  groupName: string;
  version: number;
  approvalStatus: string;
  approvalDescription?: string;
  lastModifiedTime: Date;
  customerMetadata?: Input;
}

export interface Endpoint extends Listable {
  arn: string;
  configName: string;
  status: string;
  failureReason?: string;
  live?: Deployment;
  pendingConfigName?: string;
}

/** Operations by name, as `X-Amz-Target: SageMaker.<Operation>` names them. */
export type Operations = Record<string, (input: Input) => Promise<Input> | Input>;

/** The control plane as its families of operations see it. */
export interface Plane {
  readonly context: ServiceContext;
  readonly faults: FaultInjector;
  readonly trainingJobs: Map<string, TrainingJob>;
  readonly processingJobs: Map<string, ProcessingJob>;
  readonly groups: Map<string, ModelPackageGroup>;
  readonly packages: Map<string, ModelPackage>;
  readonly models: Map<string, SimpleResource>;
  readonly endpointConfigs: Map<string, SimpleResource>;
  readonly endpoints: Map<string, Endpoint>;
  /** CreateModelPackage's ClientToken → the package it created. */
  readonly clientTokens: Map<string, string>;
  /** Aborted when the stack stops. */
  readonly stopping: AbortSignal;
  setTags(arn: string, tags: unknown, merge?: boolean): void;
  tagMap(arn: string): Record<string, string>;
  /** Keeps background work (a job, a deployment) until it ends, so that stopping waits for it. */
  track(promise: Promise<unknown>): void;
  /** A wait that ends `ms` after now (not after its own call), or when the stack stops. */
  settleAfter(ms: number): () => Promise<void>;
}

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/;
export const APPROVAL = ['Approved', 'Rejected', 'PendingManualApproval'] as const;

export const notFound = (message: string): AwsError => new AwsError('ValidationException', message);

/** `item`, or the ValidationException SageMaker answers for a resource that does not exist. */
export function found<T>(item: T | undefined, message: string): T {
  if (item === undefined) throw notFound(message);
  return item;
}

/** RoleArn, required and of an IAM role. */
export function validateRole(input: Input): void {
  const role = String(requireField(input, 'RoleArn'));
  if (!ROLE_ARN.test(role)) {
    throw validationError(
      `1 validation error detected: Value '${role}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
    );
  }
}

/**
 * One page of a List operation: `items` filtered, sorted (by Name, CreationTime and, where the resource has
 * one, Status, whose StatusEquals must be one of `statuses`) and paged as `input` asks, each summarised under
 * `key`, with the NextToken of the next page.
 */
export function listOf<T extends Listable>(
  items: Iterable<T>,
  input: Input,
  key: string,
  summary: (item: T) => Input,
  {
    defaultSortOrder,
    statuses,
  }: { defaultSortOrder: 'Ascending' | 'Descending'; statuses?: readonly string[] },
): Input {
  const { page, nextToken } = listPage(items, input as ListRequest & Input, {
    sortKeys: { Name: byName, CreationTime: byCreationTime, ...(statuses ? { Status: byStatus } : {}) },
    ...(statuses ? { statuses } : {}),
    defaultSortBy: 'CreationTime',
    defaultSortOrder,
  });
  return withoutUndefined({
    [key]: page.map((item) => withoutUndefined(summary(item))),
    NextToken: nextToken,
  });
}

/** The statuses of training and processing jobs, as ListTrainingJobs and ListProcessingJobs take them. */
export const JOB_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
/** The statuses of an endpoint, as ListEndpoints takes them. */
export const ENDPOINT_STATUSES = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
] as const;
