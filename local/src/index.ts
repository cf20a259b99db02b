// Programmatic API of the offline stack, for tests and for the end-to-end scenario.

export { deployWithFramework, type FrameworkDeploy } from './deploy.js';
export { type EventPattern, matchesPattern, validatePattern } from './events/pattern.js';
export {
  FaultInjector,
  type FaultOptions,
  type InjectedFault,
  parseFaults,
  type ResourceLimitFault,
  seededRandom,
  type ThrottleFault,
} from './faults.js';
export { consoleLogger, type StackLogger, silentLogger } from './log.js';
export { encodeS3EventKey } from './s3/notification-record.js';
export { readArchiveFiles } from './sagemaker/model-archive.js';
export { type Stack, type StackClientConfig, type StackOptions, startStack } from './stack.js';
