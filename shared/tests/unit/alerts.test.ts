import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type Alert, Alerts, alertMessage, alertSubject } from '../../src/alerts.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:mlpipe-dev-alerts';

const rollback: Alert = {
  pipeline: 'mlpipe-dev',
  title: 'Endpoint update rolled back',
  what: 'The update of endpoint mlpipe-dev to version 3 was rolled back; version 2 still serves.',
  why: 'The primary container for production variant AllTraffic did not pass the ping health check.',
  next: 'Check the endpoint logs of version 3, then approve a fixed version or reject version 3.',
  resources: { endpoint: 'mlpipe-dev', 'model package': 'arn:…/mlpipe-dev/3', 'training job': undefined },
};

describe('Alerts', () => {
  beforeEach(() => sns.reset());

  it('writes what, why, what to do and the resources, one per line, leaving out unknown ones', () => {
    expect(alertMessage(rollback)).toBe(
      [
        'The update of endpoint mlpipe-dev to version 3 was rolled back; version 2 still serves.',
        '',
        'Why: The primary container for production variant AllTraffic did not pass the ping health check.',
        '',
        'What to do: Check the endpoint logs of version 3, then approve a fixed version or reject version 3.',
        '',
        'Pipeline: mlpipe-dev',
        'Endpoint: mlpipe-dev',
        'Model package: arn:…/mlpipe-dev/3',
      ].join('\n'),
    );
  });

  it('keeps subjects within what SNS takes: ASCII, one line, at most 100 characters', () => {
    expect(alertSubject(rollback)).toBe('[mlpipe-dev] Endpoint update rolled back');
    const long = alertSubject({ pipeline: 'mlpipe-dev', title: `Café rejected\n${'x'.repeat(200)}` });
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^\[mlpipe-dev\] Cafe rejected x+\.\.\.$/);
  });

  it('publishes to the topic with the subject and message', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const sent = await new Alerts(new SNSClient({}), TOPIC).publish(rollback);

    expect(sent).toEqual({ subject: '[mlpipe-dev] Endpoint update rolled back', messageId: 'm-1' });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[mlpipe-dev] Endpoint update rolled back',
      Message: alertMessage(rollback),
    });
  });

  it('only logs when the pipeline has no topic', async () => {
    const sent = await new Alerts(new SNSClient({}), undefined).publish(rollback);

    expect(sent).toEqual({ subject: '[mlpipe-dev] Endpoint update rolled back' });
    expect(sns.calls()).toHaveLength(0);
  });

  it('lets a failed publish through, so that the event is retried and the alert not lost', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    await expect(new Alerts(new SNSClient({}), TOPIC).publish(rollback)).rejects.toThrow('Rate exceeded');
  });
});
