/**
 * What the evaluate-model tests share: the SageMaker mock, the stage's configuration, and its events.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import {
  type ScheduledEvent,
  ScheduledEventSchema,
  type TrainingJobStateChangeEvent,
  TrainingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { evaluateModelEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';
import { sampleEvent } from '../events.js';

export const sagemaker = mockClient(SageMakerClient);
export const config = loadConfig(evaluateModelEnv);
export const deps = { sagemaker: new SageMakerClient({}), config };
export const trainingEvent = (name = 'training-job-completed.json') =>
  v.parse(TrainingJobStateChangeEventSchema, sampleEvent(name)) as TrainingJobStateChangeEvent;
export const schedule = () =>
  v.parse(ScheduledEventSchema, sampleEvent('scheduled-sweep.json')) as ScheduledEvent;
