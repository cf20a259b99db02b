/**
 * One stack, two regions: every request is served by the region of its credential scope, as each AWS region is
 * an endpoint of its own. The stack's own region holds what the services deployed; another region starts empty,
 * names itself in its ARNs and never sees the first region's resources (nor they its own).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ListQueuesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { fixtureService } from '../helpers/fixtures.js';
import { useTestStack } from '../helpers/stack.js';

const HOME_QUEUE = 'churn-alert-inbox-local';
const HOME_FUNCTION = 'fixture-pipeline-local-ticker';

describe('regions: one stack, two regions without mixing', () => {
  const t = useTestStack({ services: [fixtureService], env: { FIXTURE_PIPELINE_NAME: 'churn' } });
  const inIreland = <T extends { destroy(): void }>(
    Client: Parameters<typeof t.stack.client<T>>[0],
    extra: Record<string, unknown> = {},
  ): T => t.stack.client(Client, { region: 'eu-west-1', ...extra });

  it("SageMaker: a resource lives in the region of its request's signature, with that region in its ARN", async () => {
    const ireland = inIreland(SageMakerClient);
    const home = t.stack.client(SageMakerClient);

    const created = await ireland.send(
      new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }),
    );
    const atHome = await home.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
    const onlyInIreland = await ireland.send(
      new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'irish-only' }),
    );

    expect(created.ModelPackageGroupArn).toBe(
      'arn:aws:sagemaker:eu-west-1:000000000000:model-package-group/churn',
    );
    expect(atHome.ModelPackageGroupArn).toBe(
      'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/churn',
    );
    const homeNames = (await home.send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList;
    expect(homeNames?.map((group) => group.ModelPackageGroupName)).toEqual(['churn']);
    await expect(
      home.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'irish-only' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    const irish = await ireland.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'irish-only' }),
    );
    expect(irish.ModelPackageGroupArn).toBe(onlyInIreland.ModelPackageGroupArn);
  });

  it('EventBridge: an event put in another region is of that region, and reaches none of the home rules', async () => {
    const recordedBefore = t.stack.bus.recorded.length;

    const put = await t.events.send(
      new PutEventsCommand({ Entries: [{ Source: 'tests', DetailType: 'home', Detail: '{}' }] }),
    );
    const irish = await inIreland(EventBridgeClient).send(
      new PutEventsCommand({ Entries: [{ Source: 'tests', DetailType: 'irish', Detail: '{}' }] }),
    );

    expect(put.FailedEntryCount).toBe(0);
    expect(irish.FailedEntryCount).toBe(0);
    const recorded = t.stack.bus.recorded.slice(recordedBefore).map((entry) => entry.event['detail-type']);
    expect(recorded).toEqual(['home']);
  });

  it("SQS, SNS and Lambda: another region has none of the home region's queues, topics or functions", async () => {
    await expect(
      inIreland(SQSClient).send(new GetQueueUrlCommand({ QueueName: HOME_QUEUE })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
    expect((await inIreland(SQSClient).send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    expect(
      (await t.stack.client(SQSClient).send(new ListQueuesCommand({}))).QueueUrls?.length,
    ).toBeGreaterThan(0);
    await expect(
      inIreland(LambdaClient).send(new InvokeCommand({ FunctionName: HOME_FUNCTION, Payload: '{}' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const topic = await inIreland(SNSClient).send(new CreateTopicCommand({ Name: 'irish-alerts' }));
    const homeTopics = await t.stack.client(SNSClient).send(new ListTopicsCommand({}));
    const irishTopics = await inIreland(SNSClient).send(new ListTopicsCommand({}));

    expect(topic.TopicArn).toBe('arn:aws:sns:eu-west-1:000000000000:irish-alerts');
    expect(irishTopics.Topics?.map((entry) => entry.TopicArn)).toEqual([topic.TopicArn]);
    expect(homeTopics.Topics?.map((entry) => entry.TopicArn)).not.toContain(topic.TopicArn);
  });

  it('S3: a regional endpoint creates buckets of its own region, and GetBucketLocation tells it', async () => {
    const ireland = inIreland(S3Client, { forcePathStyle: true });

    await ireland.send(
      new CreateBucketCommand({
        Bucket: 'irish-data',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    const refused = await ireland
      .send(
        new CreateBucketCommand({
          Bucket: 'elsewhere',
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      )
      .catch((error: unknown) => error);
    await ireland.send(new PutObjectCommand({ Bucket: 'irish-data', Key: 'a.csv', Body: 'x,y\n' }));

    expect(refused).toBeInstanceOf(S3ServiceException);
    expect(refused).toMatchObject({
      name: 'IllegalLocationConstraintException',
      $metadata: { httpStatusCode: 400 },
    });
    const location = await ireland.send(new GetBucketLocationCommand({ Bucket: 'irish-data' }));
    expect(location.LocationConstraint).toBe('eu-west-1');
  });

  it('a credential scope naming no region AWS could have is refused', async () => {
    const made = await t.stack
      .client(SageMakerClient, { region: 'moon-base-1x' })
      .send(new ListModelPackageGroupsCommand({}))
      .catch((error: unknown) => error);

    expect(made).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
  });
});
