import { sampleEventsOf } from '@sagemaker-pipeline/testing/events';

/** Reads a sample event from the package's events/ folder (the same files `serverless invoke local` uses). */
export const sampleEvent = sampleEventsOf(new URL('..', import.meta.url));
