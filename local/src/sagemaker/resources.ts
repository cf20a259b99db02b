// The SageMaker resources the control plane keeps, and what every part of it needs to reach the others.
import type { ChildProcess } from 'node:child_process';
import type { EventBus } from '../events/bus.js';
import type { ImageRegistry } from '../images/registry.js';
import type { StackLogger } from '../log.js';
import type { S3Service } from '../s3/s3-service.js';
import type { ProcessTracker } from './containers.js';
import type { Listable } from './listing.js';
import type { InvokeClientKind } from './upstream.js';

export interface ServiceContext {
  region: string;
  account: string;
  dir: string;
  endpoint: () => string;
  s3: S3Service;
  images: ImageRegistry;
  bus: EventBus;
  tracker: ProcessTracker;
  logger: StackLogger;
  /** The client InvokeEndpoint reaches a container with (see upstream.ts); it may change while endpoints serve. */
  invokeClient: InvokeClientKind;
  /** How long a serving process may take to answer GET /ping with 200. */
  endpointStartTimeoutMs: number;
  /** How long an endpoint creation or update takes at least, in stack time (AWS's minutes, scaled); 0: as fast as it starts. */
  endpointDeployMs: number;
  /** How long a training or processing job stays `Starting` at least (launching instances), in stack time; 0: none. */
  jobStartMs: number;
}

export type Input = Record<string, unknown>;

export interface Transition {
  Status: string;
  StartTime: Date;
  EndTime?: Date;
  StatusMessage: string;
}

export interface JobBase extends Listable {
  arn: string;
  request: Input;
  status: string;
  failureReason?: string;
  startTime?: Date;
  endTime?: Date;
  stopRequested: boolean;
  child?: ChildProcess;
  logFile: string;
}

export interface TrainingJob extends JobBase {
  secondaryStatus: string;
  transitions: Transition[];
  modelArtifacts?: string;
}

export interface ProcessingJob extends JobBase {
  exitMessage?: string;
}

export const arnOf = (
  context: Pick<ServiceContext, 'region' | 'account'>,
  type: string,
  name: string,
): string => `arn:aws:sagemaker:${context.region}:${context.account}:${type}/${name.toLowerCase()}`;

/** AWS JSON 1.1 timestamps are epoch seconds. */
export const seconds = (date: Date | undefined): number | undefined =>
  date ? date.getTime() / 1000 : undefined;
/** SageMaker's EventBridge events carry epoch milliseconds. */
export const millis = (date: Date | undefined): number | undefined => date?.getTime();

export function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
