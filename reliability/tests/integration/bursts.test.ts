// Bursts of uploads against the offline stack: 1, 100 and 1,000 objects written at once under training-data/
// (real PutObject calls through the stack, 50 at a time) reach retrain-model through infra's bucket
// notification and queue, in batches; a batch starts at most one training job, on the whole prefix, and never
// while another runs. Data written while a job runs is deferred and trained on by the next job. Every object
// must end up in the `train` channel of a training job created after it was written.
//
// Two stacks: the bursts run at the stack's default time scale (retrain's 60 s batching window lasts 6 s, a
// burst takes a few seconds to upload, as in AWS where it is far shorter than the window); the data written
// while a job runs waits for the queue's visibility timeout (900 s), so that part runs at a smaller scale.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { splits } from '@sagemaker-pipeline/reference-model';
import { recordFigures } from '../../src/figures.js';
import {
  channelKeys,
  eventually,
  invocationsOf,
  NAMES,
  putObjects,
  type StageInvocation,
  settle,
  startPipelineStack,
  tally,
  type Upload,
} from './helpers.js';

const IMAGE_TAG = 'bursts';
const IMAGE_URI = `000000000000.dkr.ecr.us-east-1.amazonaws.com/${NAMES.repository}:${IMAGE_TAG}`;
const RETRAIN_PREFIX = `${NAMES.pipeline}-retrain-`;
/** Bursts: the stack's default, a 6 s batching window and a 90 s visibility timeout. */
const BURSTS_TIME_SCALE = 0.1;
/** Data written while a job runs: a 0.24 s batching window and a 3.6 s visibility timeout. */
const WHILE_RUNNING_TIME_SCALE = 0.004;
const CONCURRENCY = 50;

/**
 * A training image that only takes stock of its `train` channel, in half a second: the reference random forest
 * takes seconds beyond a few hundred rows, and what is measured here is which objects each job received.
 */
const COUNTING_IMAGE = {
  'image.json': JSON.stringify({ entrypoint: ['node', 'main.mjs'] }),
  'main.mjs': `import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const optMl = (...parts) => path.join(process.env.SM_LOCAL_ROOT ?? '', '/opt/ml', ...parts);
if (process.argv[2] !== 'train') {
  console.error('unknown command ' + process.argv[2]);
  process.exit(64);
}
const channel = process.env.SM_CHANNEL_TRAIN ?? optMl('input/data/train');
const files = readdirSync(channel, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
const rows = files.reduce(
  (sum, entry) => sum + readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8').trim().split('\\n').length - 1,
  0,
);
await new Promise((resolve) => setTimeout(resolve, 500));
writeFileSync(path.join(process.env.SM_MODEL_DIR ?? optMl('model'), 'model.json'), JSON.stringify({ files: files.length, rows }));
console.log('took stock of ' + files.length + ' file(s), ' + rows + ' row(s)');
`,
};

// Small CSV files of the reference data: a header and three rows each.
const [header, ...rows] = splits().train.trim().split('\n');
const uploads = (folder: string, count: number): Upload[] =>
  Array.from({ length: count }, (_, index) => ({
    key: `${NAMES.trainingPrefix}${folder}/part-${String(index).padStart(4, '0')}.csv`,
    body: `${[header, ...[0, 1, 2].map((offset) => rows[(index * 3 + offset) % rows.length])].join('\n')}\n`,
  }));

interface JobView {
  name: string;
  status: string;
  createdAt: number;
  /** The keys its `train` channel received. */
  keys: Set<string>;
}

interface Run {
  objects: number;
  jobs: number;
  batches: number;
  results: Record<string, number>;
  objectsNotCovered: number;
  seconds: number;
}

const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;

/** A stack of infra and retrain-model whose retraining runs the counting image, and what the suites ask it. */
async function startBurstStack(sqsTimeScale: number) {
  const imageDir = await mkdtemp(path.join(tmpdir(), 'counting-image-'));
  for (const [file, content] of Object.entries(COUNTING_IMAGE))
    await writeFile(path.join(imageDir, file), content);
  const env = await startPipelineStack(['infra', 'retrain-model'], {
    env: { MODEL_IMAGE_URI: IMAGE_URI },
    images: [{ folder: imageDir, repository: NAMES.repository, tag: IMAGE_TAG }],
    sqsTimeScale,
  });
  const { stack } = env;
  // S3 sent its s3:TestEvent when infra's notification was configured: once skipped, the function is warm
  await eventually('the s3:TestEvent to be skipped', () =>
    invocationsOf(stack, 'retrainModel').find((record) => record.result?.status === 'skipped'),
  );

  /** Every retrain job of the pipeline, from the AWS API, with what the stack says its channel received. */
  const jobs = async (): Promise<JobView[]> => {
    const { TrainingJobSummaries = [] } = await env.sagemaker.send(
      new ListTrainingJobsCommand({ NameContains: RETRAIN_PREFIX, MaxResults: 100 }),
    );
    return TrainingJobSummaries.map((summary) => ({
      name: summary.TrainingJobName ?? '',
      status: summary.TrainingJobStatus ?? '',
      createdAt: summary.CreationTime?.getTime() ?? Number.NaN,
      keys: new Set(channelKeys(stack, summary.TrainingJobName ?? '').train ?? []),
    }));
  };
  /** The batches with new data retrain-model was handed from invocation `from` on. */
  const batchesSince = (from: number) =>
    invocationsOf(stack, 'retrainModel')
      .slice(from)
      .filter((record) => (record.result?.objects ?? 0) > 0 || record.status === 'error');
  return {
    ...env,
    jobs,
    batchesSince,
    invocationCount: () => invocationsOf(stack, 'retrainModel').length,
    async stop() {
      await env.stop();
      await rm(imageDir, { recursive: true, force: true });
    },
  };
}

/** Keys that are in the channel of no job created after the key was written. */
const notCovered = (written: Map<string, number>, all: JobView[]): string[] =>
  [...written].flatMap(([key, at]) =>
    all.some((job) => job.createdAt > at && job.keys.has(key)) ? [] : [key],
  );

const statuses = (records: StageInvocation[]) =>
  tally(records.map((record) => record.result?.status ?? 'error'));

const runs: Run[] = [];
let whileRunning: Record<string, unknown> = {};

describe('Reliability: bursts of new training data on the offline stack', () => {
  let env: Awaited<ReturnType<typeof startBurstStack>>;

  beforeAll(async () => {
    env = await startBurstStack(BURSTS_TIME_SCALE);
  }, 30_000);

  afterAll(async () => {
    await env?.stop();
  });

  /**
   * Removes a run's objects once measured. The stack lists a channel's prefix with s3rver, whose ListObjectsV2
   * fails beyond 1,000 keys on Node 17+ (its continuation token is DES-encrypted, which OpenSSL 3 refuses), so
   * the prefix is kept to one run; S3 itself pages through any number of keys.
   */
  const remove = async (keys: Iterable<string>): Promise<void> => {
    const all = [...keys];
    for (let start = 0; start < all.length; start += 1000) {
      const { Errors = [] } = await env.s3.send(
        new DeleteObjectsCommand({
          Bucket: NAMES.bucket,
          Delete: { Objects: all.slice(start, start + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
      if (Errors.length) throw new Error(`cannot delete ${Errors.length} object(s): ${Errors[0]?.Message}`);
    }
  };

  it.each([1, 100, 1000])(
    'starts one training job per delivered batch, not one per object, for %i object(s) written at once',
    async (objects) => {
      // Prepare
      const before = new Set((await env.jobs()).map((job) => job.name));
      const from = env.invocationCount();
      const started = Date.now();

      // Act
      const written = await putObjects(
        env.s3,
        NAMES.bucket,
        uploads(`burst-${objects}`, objects),
        CONCURRENCY,
      );
      await settle(env.stack, { quietMs: 500, timeoutMs: 40_000 });

      // Assess
      const all = await env.jobs();
      const created = all.filter((job) => !before.has(job.name));
      const batches = env.batchesSince(from);
      const results = statuses(batches);
      const uncovered = notCovered(written, all);
      runs.push({
        objects,
        jobs: created.length,
        batches: batches.length,
        results,
        objectsNotCovered: uncovered.length,
        seconds: seconds(started),
      });
      await remove(written.keys());
      expect(uncovered).toEqual([]);
      expect(created.map((job) => job.status)).toEqual(created.map(() => 'Completed'));
      // one job per batch that started one; any other batch came while a job ran (deferred), or brought
      // nothing a finished job had not trained on
      expect(created).toHaveLength(results.started ?? 0);
      expect(created.length).toBeGreaterThanOrEqual(1);
      const otherwise = batches.filter(
        (record) =>
          !['started', 'deferred', 'skipped', 'already-started'].includes(record.result?.status ?? ''),
      );
      expect(otherwise.map((record) => record.result?.status ?? record.error?.errorMessage)).toEqual([]);
      if (objects >= 100) expect(created.length * 10).toBeLessThanOrEqual(objects);
    },
    60_000,
  );
});

describe('Reliability: data written while a training job runs', () => {
  let env: Awaited<ReturnType<typeof startBurstStack>>;

  beforeAll(async () => {
    env = await startBurstStack(WHILE_RUNNING_TIME_SCALE);
  }, 30_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('is deferred, and trained on by the next job', async () => {
    // Prepare: a burst starts a job, held in its training phase as a long training run would be
    const from = env.invocationCount();
    const started = Date.now();
    const first = await putObjects(env.s3, NAMES.bucket, uploads('while-running/first', 100), CONCURRENCY);
    const running = await eventually(
      'a retrain job in its training phase',
      () =>
        [...env.stack.sagemaker.trainingJobs.values()].find(
          (job) => job.status === 'InProgress' && job.child?.pid,
        ),
      20_000,
      10,
    );
    // the container process, paused: its channel is already downloaded, and it stays InProgress
    const paused = running.child?.kill('SIGSTOP');
    if (!paused || running.status !== 'InProgress')
      throw new Error(`could not hold ${running.name} in training`);
    let second = new Map<string, number>();
    try {
      // Act: more data while it runs; its batches come while the job runs
      second = await putObjects(env.s3, NAMES.bucket, uploads('while-running/second', 100), CONCURRENCY);
      // every notification handed to retrain-model at least once while the job is held
      await eventually(
        'the new data to be handed to retrain-model',
        () => {
          const batches = env.batchesSince(from);
          const handled = batches.reduce((sum, record) => sum + (record.result?.objects ?? 0), 0);
          return handled >= first.size + second.size ? batches : undefined;
        },
        20_000,
      );
    } finally {
      running.child?.kill('SIGCONT');
    }
    await settle(env.stack, { quietMs: 500, timeoutMs: 40_000 });

    // Assess
    const all = await env.jobs();
    const runningJob = all.find((job) => job.name === running.name);
    const later = all.filter((job) => job.createdAt > (runningJob?.createdAt ?? Number.POSITIVE_INFINITY));
    const inRunningJob = [...second.keys()].filter((key) => runningJob?.keys.has(key));
    const inLaterJob = [...second.keys()].filter((key) => later.some((job) => job.keys.has(key)));
    const batches = env.batchesSince(from);
    const uncovered = notCovered(new Map([...first, ...second]), all);
    whileRunning = {
      objectsBefore: first.size,
      objectsWhileRunning: second.size,
      inRunningJob: inRunningJob.length,
      inNextJob: inLaterJob.length,
      jobs: all.length,
      batches: batches.length,
      results: statuses(batches),
      objectsNotCovered: uncovered.length,
      seconds: seconds(started),
    };
    expect(uncovered).toEqual([]);
    expect(all.map((job) => job.status)).toEqual(all.map(() => 'Completed'));
    expect(runningJob?.keys.size).toBeGreaterThan(0);
    expect(inRunningJob).toEqual([]);
    expect(inLaterJob).toHaveLength(second.size);
    expect(statuses(batches).deferred).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('Reliability: bursts, figures', () => {
  it('records the figures of every run', () => {
    recordFigures('bursts', {
      runs,
      whileRunning,
      batchingWindowSeconds: 60 * BURSTS_TIME_SCALE,
      whileRunningVisibilityTimeoutSeconds: 900 * WHILE_RUNNING_TIME_SCALE,
      uploadConcurrency: CONCURRENCY,
    });
    expect(runs.map((run) => [run.objects, run.objectsNotCovered])).toEqual([
      [1, 0],
      [100, 0],
      [1000, 0],
    ]);
    expect(whileRunning.objectsNotCovered).toBe(0);
  });
});
