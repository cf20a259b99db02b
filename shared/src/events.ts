/**
 * Schemas of every event the pipeline consumes, on top of the EventBridge, S3 and SQS envelopes of Powertools'
 * parser (declared here, field for field, in valibot: Powertools' own are full zod). Valibot's functions are
 * marked free of side effects, so each bundle carries only the schemas and checks its stage uses: about a
 * quarter of what zod/mini weighed (see bench/RESULTS.md). Powertools' parser takes them as Standard Schemas.
 * One module per event, so a bundle carries only its own (the package is marked free of side effects).
 * Only the fields a stage reads are required; AWS adds fields over time, so unknown ones are kept, not refused;
 * an optional field may be `null` (read as absent), and a list of values AWS extends (ECR's action-type) takes
 * any value, for the stage to skip what it does not act on.
 */
export * from './events/ecr.js';
export * from './events/endpoint.js';
export * from './events/eventbridge.js';
export * from './events/model-package.js';
export * from './events/one-of.js';
export * from './events/processing-job.js';
export * from './events/s3.js';
export * from './events/scheduled.js';
export * from './events/sqs.js';
export * from './events/training-job.js';
