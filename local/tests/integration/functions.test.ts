import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import type { InvocationRecord } from '../../src/functions/runtime.js';
import { echoImage, fixtureService } from '../helpers/fixtures.js';
import { eventually, startTestStack, type TestStack } from '../helpers/stack.js';

describe('Functions: stage handlers from serverless.yml', () => {
  let t: TestStack;

  const invocations = async (fn: string): Promise<InvocationRecord[]> => {
    const body = (await (await fetch(`${t.stack.endpoint}/_local/invocations`)).json()) as {
      invocations: InvocationRecord[];
    };
    return body.invocations.filter((record) => record.function === fn);
  };

  beforeAll(async () => {
    t = await startTestStack({
      services: [fixtureService],
      // 5 s windows last 500 ms: concurrent uploads reach one batch even on a loaded machine (at 0.02, 100 ms
      // split them under CI load); the poison message comes back after the 30 s visibility timeout, 3 s
      sqsTimeScale: 0.1,
      retryDelayMs: 50,
      env: { FIXTURE_PIPELINE_NAME: 'churn' },
    });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-data' }));
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-artifacts' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/part-1.csv', Body: 'a,1\n' }));
  });
  afterAll(() => t.stop());

  it('routes an ECR push to the function whose serverless.yml pattern matches, which starts a training job', async () => {
    // Act: push through the HTTP API the CLI uses
    const pushed = (await (
      await fetch(`${t.stack.endpoint}/_local/images`, {
        method: 'POST',
        body: JSON.stringify({ folder: echoImage, repository: 'churn-model', tag: 'v1' }),
      })
    ).json()) as { digest: string };
    const [invocation] = await eventually('the triggerTraining invocation', async () => {
      const records = await invocations('triggerTraining');
      return records.length ? records : undefined;
    });

    // Assess
    const pushEvent = t.stack.bus.recorded.find((record) => record.event.source === 'aws.ecr')?.event;
    expect(pushEvent).toMatchObject({
      'detail-type': 'ECR Image Action',
      detail: {
        result: 'SUCCESS',
        'repository-name': 'churn-model',
        'image-digest': pushed.digest,
        'action-type': 'PUSH',
        'image-tag': 'v1',
      },
    });
    expect(invocation).toMatchObject({
      trigger: 'eventbridge',
      eventId: pushEvent?.id,
      status: 'success',
      attempt: 1,
      cold: true,
    });
    const jobName = `churn-${pushed.digest.slice(7, 19)}`;
    expect(invocation?.result).toEqual({
      status: 'started',
      jobName,
      functionName: 'fixture-pipeline-local-triggerTraining',
      hasTimeLeft: true,
      env: {
        PIPELINE_NAME: 'churn',
        STAGE: 'local',
        S3_OUTPUT_PATH: 's3://ml-artifacts/models',
        SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/churn-sagemaker-local',
        DATA_BUCKET: 'churn-data-local',
        AWS_LAMBDA_FUNCTION_NAME: 'fixture-pipeline-local-triggerTraining',
      },
    });
    const job = await eventually('the training job to leave InProgress', async () => {
      const described = await t.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
      return described.TrainingJobStatus === 'InProgress' ? undefined : described;
    });
    expect(job.TrainingJobStatus).toBe('Completed');
    const tags = await t.sagemaker.send(new ListTagsCommand({ ResourceArn: job.TrainingJobArn }));
    expect(tags.Tags).toEqual([{ Key: 'pipeline', Value: 'churn' }]);
  });

  it('does not route a push to another repository', async () => {
    await t.stack.images.push(echoImage, 'other-model');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await invocations('triggerTraining')).toHaveLength(1);
  });

  it('retries a failing asynchronous invocation twice in the same warm environment', async () => {
    // Act
    const put = await t.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'com.example.flaky', DetailType: 'Test', Detail: '{}' }] }),
    );
    const records = await eventually('three attempts of flaky', async () => {
      const found = await invocations('flaky');
      return found.length === 3 ? found : undefined;
    });

    // Assess
    expect(records.map((record) => [record.attempt, record.status, record.cold])).toEqual([
      [1, 'error', true],
      [2, 'error', false],
      [3, 'success', false],
    ]);
    expect(records.every((record) => record.eventId === put.Entries?.[0]?.EventId)).toBe(true);
    expect(records[0]?.error).toMatchObject({ errorType: 'Error', errorMessage: 'flaky failure 1' });
    expect(records[2]?.result).toEqual({ calls: 3 });
  });

  it("sends an event whose retries are exhausted to the on-failure destination, in Lambda's record shape", async () => {
    // Act
    const put = await t.events.send(
      new PutEventsCommand({
        Entries: [{ Source: 'com.example.doomed', DetailType: 'Test', Detail: '{"n":1}' }],
      }),
    );
    const queue = t.stack.queues.get('churn-doomed-dlq-local');
    const [message] = await eventually('the message in the queue', async () =>
      queue?.messages.length ? queue.messages : undefined,
    );

    // Assess
    const attempts = await invocations('doomed');
    expect(attempts.map((record) => [record.attempt, record.status])).toEqual([
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
    ]);
    expect(new Set(attempts.map((record) => record.requestId)).size).toBe(1);
    const record = JSON.parse(message?.body ?? '{}');
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        requestId: attempts[0]?.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-pipeline-local-doomed:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: { id: put.Entries?.[0]?.EventId, source: 'com.example.doomed', detail: { n: 1 } },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: `doomed ${put.Entries?.[0]?.EventId}` },
    });
    expect(queue?.messages).toHaveLength(1);
    // the queue's alarm went off: CloudWatch's notification on the topic, delivered to its queue subscription
    const [alert] = await eventually('the alarm notification', async () =>
      t.stack.sns.published.length ? t.stack.sns.published : undefined,
    );
    expect(alert).toMatchObject({
      topicArn: 'arn:aws:sns:us-east-1:000000000000:churn-alerts-local',
      subject: 'ALARM: "churn-doomed-dlq-not-empty-local" in US East (N. Virginia)',
    });
    expect(JSON.parse(alert?.message ?? '{}')).toMatchObject({
      AlarmName: 'churn-doomed-dlq-not-empty-local',
      AlarmDescription: 'doomed gave up on events; they wait in churn-doomed-dlq-local',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0 },
    });
    const inbox = t.stack.queues.get('churn-alert-inbox-local');
    expect(inbox?.messages.map((message) => JSON.parse(message.body))).toEqual([
      expect.objectContaining({ Type: 'Notification', MessageId: alert?.messageId, Subject: alert?.subject }),
    ]);
    // the email subscription's condition (an alertEmail parameter) does not hold: it was not made
    expect(t.stack.sns.topics.get(alert?.topicArn ?? '')?.subscriptions.map((s) => s.protocol)).toEqual([
      'sqs',
    ]);
  });

  it("runs a schedule rule on demand with AWS's Scheduled Event, and leaves out a schedule that is off", async () => {
    // Act
    const listed = (await (await fetch(`${t.stack.endpoint}/_local/schedules`)).json()) as {
      schedules: { name: string; expression: string; everyMs?: number }[];
    };
    // CloudFormation names a rule without a Name: <stack>-<logical id>-<random suffix>
    const name = listed.schedules[0]?.name ?? '';
    const run = await fetch(`${t.stack.endpoint}/_local/schedules/${name}`, { method: 'POST' });
    const [invocation] = await eventually('the ticker invocation', async () => {
      const found = await invocations('ticker');
      return found.length ? found : undefined;
    });
    const unknown = await fetch(`${t.stack.endpoint}/_local/schedules/nope`, { method: 'POST' });

    // Assess
    expect(listed.schedules).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(/^fixture-pipeline-local-TickerEventsRuleSchedule1-[0-9A-Z]{12}$/),
        expression: 'rate(1 hour)',
        everyMs: 360_000,
      }),
    ]);
    expect(run.status).toBe(200);
    const rule = `arn:aws:events:us-east-1:000000000000:rule/${name}`;
    expect(invocation).toMatchObject({
      trigger: 'schedule',
      status: 'success',
      result: { detailType: 'Scheduled Event', rule },
    });
    expect(unknown.status).toBe(404);
  });

  it('keeps reserved concurrency 1 even when the first invocations arrive together', async () => {
    // Prepare: a stack of its own, where no execution environment exists yet
    const fresh = await startTestStack({
      services: [fixtureService],
      env: { FIXTURE_PIPELINE_NAME: 'churn' },
    });
    try {
      // Act
      await Promise.all(
        [1, 2, 3].map((n) =>
          fresh.stack.functions.invoke(
            'retrain',
            { Records: [] },
            { source: 'direct', eventId: `together-${n}` },
          ),
        ),
      );

      // Assess: one environment, so one cold start
      const records = fresh.stack.functions.invocations.filter((record) => record.function === 'retrain');
      expect(records).toHaveLength(3);
      expect(records.filter((record) => record.cold)).toHaveLength(1);
    } finally {
      await fresh.stop();
    }
  });

  it('times a function out after its serverless.yml timeout', async () => {
    // Act
    await t.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'com.example.slow', DetailType: 'Test', Detail: '{}' }] }),
    );
    const [first] = await eventually('the first invocation of slow', async () => {
      const found = await invocations('slow');
      return found.length ? found : undefined;
    });

    // Assess
    expect(first?.error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
    });
    expect(first?.durationMs).toBeLessThan(2_500);
  });

  it('delivers S3 notifications through the SQS batch to the retrain function, keys URL-encoded like S3', async () => {
    // Prepare: the bucket and its notification come from the service's CloudFormation resources
    const bucket = 'churn-data-local';

    // Act
    await Promise.all(
      ['training/a b+c.csv', 'training/é=1.csv', 'training/poison.csv', 'other/ignored.csv'].map((key) =>
        t.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })),
      ),
    );
    const records = await eventually('both poison records retried', async () => {
      const found = await invocations('retrain');
      const keys = found.flatMap((record) => (record.result as { keys: string[] } | undefined)?.keys ?? []);
      return keys.filter((key) => key.includes('poison')).length === 2 ? found : undefined;
    });

    // Assess
    const batches = records.map((record) => (record.result as { keys: string[] }).keys.sort());
    expect(batches[0]).toEqual([]); // S3's s3:TestEvent, sent when the notification was configured
    expect(batches).toContainEqual([
      'training/%C3%A9%3D1.csv',
      'training/a+b%2Bc.csv',
      'training/poison.csv',
    ]);
    expect(batches.at(-1)).toEqual(['training/poison.csv']);
    expect(batches.flat()).not.toContain('other/ignored.csv');
    const retried = records.at(-1);
    expect(retried?.trigger).toBe('sqs');
  });

  it('shapes the SQS and S3 records like AWS', async () => {
    // Prepare: record what the function receives by replaying it through the runtime
    const queue = t.stack.queues.get('churn-retrain-local');
    expect(queue?.arn).toBe('arn:aws:sqs:us-east-1:000000000000:churn-retrain-local');
    const received: Record<string, unknown>[] = [];
    const original = t.stack.functions.invoke.bind(t.stack.functions);
    t.stack.functions.invoke = async (name, event, trigger, attempt, requestId) => {
      if (name === 'fixture-pipeline-local-retrain')
        received.push(...((event as { Records: Record<string, unknown>[] }).Records ?? []));
      return original(name, event, trigger, attempt, requestId);
    };

    // Act
    await t.s3.send(
      new PutObjectCommand({ Bucket: 'churn-data-local', Key: 'training/shape.csv', Body: 'abc' }),
    );
    const [record] = await eventually('the notification delivery', async () =>
      received.length ? received : undefined,
    );
    t.stack.functions.invoke = original;

    // Assess
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:churn-retrain-local',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
    });
    expect(record?.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    const notification = JSON.parse(String(record?.body)) as { Records: Record<string, unknown>[] };
    expect(notification.Records[0]).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: 'churn-data-local', arn: 'arn:aws:s3:::churn-data-local' },
        object: { key: 'training/shape.csv', size: 3, eTag: '900150983cd24fb0d6963f7d28e17f72' },
      },
    });
    const s3 = notification.Records[0]?.s3 as { object: { sequencer: string } } | undefined;
    expect(s3?.object.sequencer).toMatch(/^[0-9A-F]+$/);
  });
});
