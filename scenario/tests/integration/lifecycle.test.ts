import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListModelPackagesCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { main as pipeline } from '@sagemaker-pipeline/cli';
import type { PipelineStatus } from '@sagemaker-pipeline/cli/status';
import { pipelineNames, SERVICES } from '@sagemaker-pipeline/shared/contracts';
import { referenceData, referenceImageFolder } from '../../src/data.js';
import { type LifecycleResult, runLifecycle } from '../../src/lifecycle.js';
import { renderReport } from '../../src/report.js';
import { launchChromium } from '../browser.js';

/** The reference random forest scores 1.0 on these 30 held-out rows; a broken pipeline scores far less. */
const HOLDOUT_ACCURACY_FLOOR = 0.9;
const names = pipelineNames({ stage: 'local' });
const services = SERVICES.map((name) => fileURLToPath(new URL(`../../../packages/${name}`, import.meta.url)));

describe('Scenario: the whole life cycle on the offline stack', () => {
  let result: LifecycleResult;
  let sagemaker: SageMakerClient;
  let s3: S3Client;
  let runtime: SageMakerRuntimeClient;
  const data = referenceData();

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lifecycle-'));
    result = await runLifecycle({
      dir,
      port: 0,
      imageFolder: referenceImageFolder(),
      data,
      keepRunning: true,
      services,
      stepTimeoutMs: 60_000,
    });
    if (!result.stack) throw new Error(`the stack did not start: ${result.error}`);
    const config = result.stack.clientConfig;
    sagemaker = new SageMakerClient(config);
    s3 = new S3Client({ ...config, forcePathStyle: true });
    runtime = new SageMakerRuntimeClient(config);
  }, 180_000);

  afterAll(async () => {
    await result?.stack?.stop();
  });

  it('runs to the end and the endpoint serves predictions', () => {
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('starts exactly one training job for the push and one for the burst of new data', async () => {
    const { TrainingJobSummaries = [] } = await sagemaker.send(
      new ListTrainingJobsCommand({
        NameContains: `${names.pipeline}-`,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
      }),
    );
    expect(TrainingJobSummaries.map((job) => job.TrainingJobName)).toEqual([
      expect.stringMatching(/^mlpipe-local-train-[0-9a-f]{12}$/),
      expect.stringMatching(/^mlpipe-local-retrain-[0-9a-f]{12}$/),
    ]);
    expect(TrainingJobSummaries.map((job) => job.TrainingJobStatus)).toEqual(['Completed', 'Completed']);
    const { ProcessingJobSummaries = [] } = await sagemaker.send(
      new ListProcessingJobsCommand({ NameContains: `${names.pipeline}-eval-` }),
    );
    expect(ProcessingJobSummaries).toHaveLength(2);
  });

  it('writes evaluation.json with its metrics for both models', async () => {
    for (const job of result.trainingJobs) {
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: names.bucket,
          Key: `${names.prefixes.evaluations}/${job}/evaluation.json`,
        }),
      );
      const evaluation = JSON.parse(await (object.Body?.transformToString() ?? '{}'));
      expect(evaluation.multiclass_classification_metrics.accuracy.value).toBeGreaterThan(
        HOLDOUT_ACCURACY_FLOOR,
      );
      expect(evaluation.multiclass_classification_metrics.confusion_matrix).toBeDefined();
    }
  });

  it('registers version 1 Approved and serves it, answering held-out rows above the floor', async () => {
    const { ModelPackageSummaryList = [] } = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: names.modelPackageGroup,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
      }),
    );
    expect(ModelPackageSummaryList[0]).toMatchObject({
      ModelPackageVersion: 1,
      ModelApprovalStatus: 'Approved',
    });

    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: names.endpoint }));
    expect(endpoint.EndpointStatus).toBe('InService');
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
    );
    const model = await sagemaker.send(
      new DescribeModelCommand({ ModelName: config.ProductionVariants?.[0]?.ModelName }),
    );
    const liveVersion = ModelPackageSummaryList.length > 1 && result.liveVersion === 2 ? 2 : 1;
    expect(model.PrimaryContainer?.ModelDataUrl).toContain(
      `/${result.trainingJobs[liveVersion - 1]}/output/model.tar.gz`,
    );

    const response = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: names.endpoint,
        ContentType: 'text/csv',
        Body: data.holdout.rows.map((row) => row.join(',')).join('\n'),
      }),
    );
    const { predictions } = JSON.parse(new TextDecoder().decode(response.Body)) as {
      predictions: { label: string }[];
    };
    const hits = predictions.filter((p, i) => p.label === data.holdout.labels[i]).length;
    expect(hits / data.holdout.labels.length).toBeGreaterThanOrEqual(HOLDOUT_ACCURACY_FLOOR);
  });

  it('either registers and rolls out version 2, or registers nothing and says why in decision.json', async () => {
    const { ModelPackageSummaryList = [] } = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: names.modelPackageGroup }),
    );
    const retraining = result.trainingJobs[1];
    if (ModelPackageSummaryList.length === 2) {
      expect(ModelPackageSummaryList.find((p) => p.ModelPackageVersion === 2)?.ModelApprovalStatus).toBe(
        'Approved',
      );
      expect(result.liveVersion).toBe(2);
      expect(result.alerts.filter((alert) => /rejected/i.test(alert.subject))).toEqual([]);
    } else {
      expect(ModelPackageSummaryList).toHaveLength(1);
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: names.bucket,
          Key: `${names.prefixes.evaluations}/${retraining}/decision.json`,
        }),
      );
      const decision = JSON.parse(await (object.Body?.transformToString() ?? '{}'));
      expect(decision.status).toBe('rejected');
      expect(decision.reasons.join(' ')).toMatch(/champion|threshold/);
      expect(result.liveVersion).toBe(1);
      // a human learns of the rejection: one alert on the pipeline's topic, in the run's result and its report
      const rejections = result.alerts.filter((alert) => /rejected/i.test(alert.subject));
      expect(rejections).toHaveLength(1);
      expect(rejections[0]?.message).toContain(retraining);
      expect(result.report.alerts).toEqual(result.alerts);
    }
  });

  it('answers `pipeline status` on the stack with what the run did: version, endpoint, decisions, queues', async () => {
    // Act: the command as a user runs it, pointed at the stack by the environment
    const saved = { ...process.env };
    const lines: string[] = [];
    let json = '';
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: result.stack?.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      });
      expect(await pipeline(['status', '--stage', 'local'], (line) => lines.push(line))).toBe(0);
      expect(await pipeline(['status', '--stage', 'local', '--json'], (line) => (json = line))).toBe(0);
    } finally {
      process.env = saved;
    }
    const status = JSON.parse(json) as PipelineStatus;

    // Assess
    expect(status.pipeline).toBe(names.pipeline);
    expect(status.endpoint).toMatchObject({
      name: names.endpoint,
      status: 'InService',
      servingVersion: result.liveVersion,
    });
    expect(status.versions.find((v) => v.serving)).toMatchObject({
      version: result.liveVersion,
      approval: 'Approved',
      gate: 'passed',
      trainingJob: result.trainingJobs[Number(result.liveVersion) - 1],
    });
    expect(status.decisions).toHaveLength(2);
    expect(status.decisions.map((d) => d.decision).sort()).toEqual(
      status.versions.length === 2 ? ['registered', 'registered'] : ['registered', 'rejected'],
    );
    expect(status.inFlight).toEqual([]);
    expect(status.failures).toEqual([]);
    expect(status.deadLetters).toHaveLength(6);
    expect(status.deadLetters.every((queue) => queue.messages === 0)).toBe(true);
    const text = lines.join('\n');
    expect(text).toContain(`Endpoint ${names.endpoint}: InService, serving version ${result.liveVersion}`);
    expect(text).toContain('all empty (6 queues)');
  });

  it('writes a run report that renders in headless Chromium with the timeline and the metrics table', async () => {
    const file = path.join(result.stack?.dir ?? tmpdir(), 'report.html');
    await writeFile(file, renderReport(result.report));
    expect(await readFile(file, 'utf8')).toContain('id="timeline"');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href);
      const kinds = await page
        .locator('#timeline rect.bar')
        .evaluateAll((bars) => [...new Set(bars.map((bar) => bar.getAttribute('class')))].sort());
      expect(kinds).toEqual(['bar endpoint', 'bar invocation', 'bar processing', 'bar training']);
      expect(await page.locator('#metrics tbody tr').count()).toBe(result.versions.length);
      expect(await page.locator('#metrics tbody tr.live').count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
