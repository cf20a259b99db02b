// With a time scale, the stack keeps AWS's job timings: a job spends its `Starting` phase (about 3 minutes of
// launching instances on AWS) before its container runs, so an upload or an event can arrive while it is under way.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { echoImage, trainingRequest } from '../helpers/fixtures.js';
import { eventually, startTestStack, type TestStack } from '../helpers/stack.js';

const TIME_SCALE = 0.01; // 3 minutes of starting last 1.8 s

describe('the stack keeps AWS time for jobs when asked', () => {
  let t: TestStack;
  let echoUri: string;

  beforeAll(async () => {
    t = await startTestStack({ timeScale: TIME_SCALE });
    echoUri = (await t.stack.images.push(echoImage, 'echo-model', 'v1')).imageUri;
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-data' }));
    await t.s3.send(new CreateBucketCommand({ Bucket: 'ml-artifacts' }));
    await t.s3.send(new PutObjectCommand({ Bucket: 'ml-data', Key: 'training/part-1.csv', Body: 'a,1\n' }));
  });
  afterAll(() => t.stop());

  it('holds a training job in Starting for the scaled launch time, then runs it to Completed', async () => {
    // Act
    const started = Date.now();
    await t.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('train-slow-start', echoUri)));
    const early = await t.sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: 'train-slow-start' }),
    );
    const done = await eventually('the slow training job to finish', async () => {
      const job = await t.sagemaker.send(
        new DescribeTrainingJobCommand({ TrainingJobName: 'train-slow-start' }),
      );
      return job.TrainingJobStatus === 'InProgress' ? undefined : job;
    });

    // Assess
    expect(early).toMatchObject({ TrainingJobStatus: 'InProgress', SecondaryStatus: 'Starting' });
    expect(done.TrainingJobStatus).toBe('Completed');
    const starting = done.SecondaryStatusTransitions?.find((transition) => transition.Status === 'Starting');
    const launchMs = (starting?.EndTime?.getTime() ?? 0) - (starting?.StartTime?.getTime() ?? 0);
    expect(launchMs).toBeGreaterThanOrEqual(3 * 60_000 * TIME_SCALE - 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 60_000 * TIME_SCALE);
  });
});
