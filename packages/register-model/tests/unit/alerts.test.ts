import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import {
  type ProcessingJobStateChangeEvent,
  ProcessingJobStateChangeEventSchema,
} from '@sagemaker-pipeline/shared/events';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import 'aws-sdk-client-mock-jest';
import { sweepAlert } from '../../src/alerts.js';
import { registerModelOrSweep } from '../../src/register-model.js';
import { sampleEvent } from '../events.js';
import { config, s3, sagemaker } from '../helpers/register-fixtures.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';

const deps = {
  sagemaker: new SageMakerClient({}),
  s3: new S3Client({}),
  config,
  alerts: new Alerts(new SNSClient({}), TOPIC),
};
const event = (name: string) =>
  v.parse(ProcessingJobStateChangeEventSchema, sampleEvent(name)) as ProcessingJobStateChangeEvent;
const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

describe('Alerts: register-model', () => {
  beforeEach(() => {
    for (const mock of [sagemaker, s3, sns]) mock.reset();
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    sns.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('tells a human that the gate rejected a model, with its reasons and where the decision is', async () => {
    s3.on(GetObjectCommand, { Key: 'evaluations/mlpipe-dev-train-226ba9db57e7/evaluation.json' }).resolves({
      Body: {
        transformToString: async () =>
          JSON.stringify({ multiclass_classification_metrics: { accuracy: { value: 0.75 } } }),
      } as unknown as GetObjectCommandOutput['Body'],
    });
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    s3.on(PutObjectCommand).resolves({});

    const result = await registerModelOrSweep(event('evaluation-completed.json'), deps);

    expect(result).toMatchObject({
      status: 'rejected',
      alert: '[mlpipe-dev] Model of mlpipe-dev-train-226ba9db57e7 rejected by the gate',
    });
    const [alert] = published();
    expect(alert).toMatchObject({
      TopicArn: TOPIC,
      Subject: '[mlpipe-dev] Model of mlpipe-dev-train-226ba9db57e7 rejected by the gate',
    });
    expect(alert?.Message).toContain(
      'Why: multiclass_classification_metrics.accuracy.value = 0.75 does not meet the threshold 0.8 (higher is better)',
    );
    expect(alert?.Message).toContain(
      'Decision: s3://mlpipe-dev-000000000000-us-east-1/evaluations/mlpipe-dev-train-226ba9db57e7/decision.json',
    );
    expect(sagemaker).not.toHaveReceivedCommand(CreateModelPackageCommand);
  });

  it('tells a human that an evaluation failed, and still reports it as a terminal failure', async () => {
    const error = await registerModelOrSweep(event('evaluation-failed.json'), deps).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(TerminalError);
    const [alert] = published();
    expect(alert?.Subject).toBe('[mlpipe-dev] Evaluation job mlpipe-dev-eval-93df12b17e33 failed');
    expect(alert?.Message).toContain(`Why: ${(error as Error).message}`);
    expect(alert?.Message).toContain('then train again');
  });

  it('publishes nothing for a model that is registered', async () => {
    s3.on(GetObjectCommand, { Key: 'evaluations/mlpipe-dev-train-226ba9db57e7/evaluation.json' }).resolves({
      Body: {
        transformToString: async () =>
          JSON.stringify({ multiclass_classification_metrics: { accuracy: { value: 0.95 } } }),
      } as unknown as GetObjectCommandOutput['Body'],
    });
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    sagemaker
      .on(CreateModelPackageCommand)
      .resolves({ ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/1' });
    s3.on(PutObjectCommand).resolves({});

    await expect(registerModelOrSweep(event('evaluation-completed.json'), deps)).resolves.toMatchObject({
      status: 'registered',
    });
    expect(published()).toEqual([]);
  });

  it('tells a human about Completed evaluations a sweep could not decide, not about Failed ones (their event did)', () => {
    const failed = [
      {
        evaluationJobName: 'mlpipe-dev-eval-aaaaaaaaaaaa',
        evaluationStatus: 'Completed',
        error: 'evaluation.json is missing',
      },
      {
        evaluationJobName: 'mlpipe-dev-eval-bbbbbbbbbbbb',
        evaluationStatus: 'Failed',
        error: 'AlgorithmError',
      },
    ];

    expect(sweepAlert(failed, config)).toMatchObject({
      title: "register-model's sweep could not decide 1 evaluation(s)",
      why: 'mlpipe-dev-eval-aaaaaaaaaaaa: evaluation.json is missing',
    });
    expect(sweepAlert(failed.slice(1), config)).toBeUndefined();
  });
});
