import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { loadConfig } from '@sagemaker-pipeline/shared/config';
import { TrainingJobStateChangeEventSchema } from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { evaluateModelEnv } from '../../src/config.js';
import 'aws-sdk-client-mock-jest';
import { sweepAlert } from '../../src/alerts.js';
import { evaluateModel } from '../../src/evaluate-model.js';
import { sampleEvent } from '../events.js';
import { sagemaker } from '../helpers/evaluate-fixtures.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';
const deps = {
  sagemaker: new SageMakerClient({}),
  config: loadConfig(evaluateModelEnv),
  alerts: new Alerts(new SNSClient({}), TOPIC),
};

describe('Alerts: evaluate-model', () => {
  beforeEach(() => {
    sagemaker.reset();
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it.each([
    ['training-job-failed.json', 'failed', 'Read the job'],
    ['training-job-stopped.json', 'stopped', 'Someone or something stopped it'],
  ])('tells a human about a training job that %s, and starts nothing', async (file, how, next) => {
    const event = v.parse(TrainingJobStateChangeEventSchema, sampleEvent(file));

    const result = await evaluateModel(event, deps);

    const job = event.detail.TrainingJobName;
    expect(result).toMatchObject({
      status: 'training-failed',
      alert: `[mlpipe-dev] Training job ${job} ${how}`,
    });
    const [alert] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(alert?.TopicArn).toBe(TOPIC);
    expect(alert?.Message).toContain(
      `Why: ${event.detail.FailureReason ?? 'SageMaker gave no failure reason'}`,
    );
    expect(alert?.Message).toContain(next);
    expect(alert?.Message).toContain(`Training job: ${job}`);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('tells a human what a sweep could not start, and nothing when it started everything', () => {
    const config = loadConfig(evaluateModelEnv);

    const alert = sweepAlert(
      [{ trainingJobName: 'mlpipe-dev-train-aaaaaaaaaaaa', error: 'ResourceLimitExceeded: quota' }],
      config,
    );

    expect(alert).toMatchObject({
      title: "evaluate-model's sweep could not start 1 evaluation(s)",
      why: 'mlpipe-dev-train-aaaaaaaaaaaa: ResourceLimitExceeded: quota',
    });
    expect(sweepAlert([], config)).toBeUndefined();
  });
});
