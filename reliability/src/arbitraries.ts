/**
 * fast-check generators of malformed and foreign events, for the bad-input suites (issue 7, item 3).
 *
 * Every generated case says what the wired handler must answer: `invalid`, with the fields one of which the
 * error must name, or `skipped`. No case is an event this pipeline acts on: each one breaks at least one
 * invariant (a missing, null or mistyped required field, another source or detail type, a name SageMaker would
 * refuse, another pipeline, group, repository, bucket or prefix, an ECR action it does not act on), so any AWS
 * write it causes is a handler bug. A `null` in an optional field is noise: it changes no answer.
 *
 * The pipeline is the one of the suites' environment: `mlpipe-dev`, account 000000000000, us-east-1.
 */

export * from './arbitraries/eventbridge.js';
export * from './arbitraries/mutations.js';
export * from './arbitraries/retrain.js';
export * from './arbitraries/s3-notifications.js';
export * from './arbitraries/stages.js';
export * from './arbitraries/values.js';
