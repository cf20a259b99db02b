import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Alerts } from '@sagemaker-pipeline/shared/alerts';
import { TerminalError } from '@sagemaker-pipeline/shared/errors';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { sweepAlert } from '../../src/alerts.js';
import { registerModelOrSweep } from '../../src/register-model.js';
import {
  accuracyFile,
  config,
  depsWith,
  evaluationEvent,
  givenAPassingModel,
  givenChampion,
  givenEvaluation,
  s3,
  sagemaker,
  useFreshMocks,
} from '../helpers/register-fixtures.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';

const deps = { ...depsWith(), alerts: new Alerts(new SNSClient({}), TOPIC) };
const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

describe('Alerts: register-model', () => {
  useFreshMocks(sns);
  beforeEach(() => {
    sns.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('tells a human that the gate rejected a model, with its reasons and where the decision is', async () => {
    givenEvaluation(accuracyFile(0.75));
    givenChampion(undefined);
    s3.on(PutObjectCommand).resolves({});

    const result = await registerModelOrSweep(evaluationEvent('evaluation-completed.json'), deps);

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
    const error = await registerModelOrSweep(evaluationEvent('evaluation-failed.json'), deps).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(TerminalError);
    const [alert] = published();
    expect(alert?.Subject).toBe('[mlpipe-dev] Evaluation job mlpipe-dev-eval-93df12b17e33 failed');
    expect(alert?.Message).toContain(`Why: ${(error as Error).message}`);
    expect(alert?.Message).toContain('then train again');
  });

  it('publishes nothing for a model that is registered', async () => {
    givenAPassingModel(0.95);
    s3.on(PutObjectCommand).resolves({});

    await expect(
      registerModelOrSweep(evaluationEvent('evaluation-completed.json'), deps),
    ).resolves.toMatchObject({
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
