/**
 * Faults injected in the offline stack, with the real stage functions running in it: throttling, an account
 * quota used up, an endpoint that stays Updating, and containers that crash in training, evaluation and
 * serving (test images under tests/fixtures/images). Every outcome is asserted from the stack's AWS APIs
 * and the functions' results, and recorded as the `faults` figure.
 */
import { CreateModelPackageCommand, DescribeModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { recordFigures } from '../../src/figures.js';
import {
  ENDPOINT,
  emittedEvent,
  endedProcessingJob,
  endedTrainingJob,
  endpointWhen,
  eventually,
  GROUP,
  IMAGES,
  invocationsOf,
  modelPackages,
  type Pipeline,
  processingJobs,
  push,
  resultOf,
  servingModel,
  settledInvocations,
  startPipeline,
  trainingJobs,
} from './pipeline.js';

interface FaultFigure {
  fault: string;
  injected: number;
  outcome: string;
  expected: boolean;
}
const figures: FaultFigure[] = [];

/** Records the figure of one fault: `expected` is what the assertions that follow check. */
function record(fault: string, injected: number, outcome: string, expected: boolean): void {
  figures.push({ fault, injected, outcome, expected });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => {
  recordFigures('faults', {
    injected: figures,
    allAsExpected: figures.length === 6 && figures.every((figure) => figure.expected),
  });
});

describe('Fault: ThrottlingException on 30% of SageMaker calls', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline(
      ['infra', 'trigger-training', 'evaluate-model', 'register-model', 'deploy-model'],
      {
        faults: { seed: 7, throttle: { share: 0.3 } },
      },
    );
  });
  afterAll(() => p?.stop());

  it('completes the life cycle: the SDK retries in the handlers absorb it, and nothing is created twice', async () => {
    // Act: wait on the bus, not the API, so that every SageMaker call until the end is a handler's
    await push(p, IMAGES.good, 'v1');
    await emittedEvent(
      p,
      'SageMaker Endpoint State Change',
      (d) => d.EndpointStatus === 'IN_SERVICE',
      50_000,
    );
    const byHandlers = [...p.stack.faults.injected];

    // Assess (these calls may be throttled too; the test's clients retry)
    const endpoint = await endpointWhen(p, 'InService', (e) => e.EndpointStatus === 'InService');
    const model = await servingModel(p);
    const [training, processing, packages] = [
      await trainingJobs(p),
      await processingJobs(p),
      await modelPackages(p),
    ];
    const invocations = p.stack.functions.invocations;
    const terminal = invocations.filter((call) =>
      ['failed', 'invalid'].includes(resultOf(call).status ?? ''),
    );
    const lambdaRetries = invocations.filter((call) => call.attempt > 1).length;
    const operations = [...new Set(byHandlers.map((fault) => fault.target))].sort();
    const ok =
      byHandlers.length > 0 &&
      model === 'good' &&
      training.length === 1 &&
      processing.length === 1 &&
      packages.length === 1 &&
      terminal.length === 0;
    record(
      'ThrottlingException (HTTP 400) on 30% of SageMaker calls',
      byHandlers.length,
      `life cycle completed: ${training.length} training job, ${processing.length} evaluation, version ${packages[0]?.ModelPackageVersion} registered and serving; ` +
        `${byHandlers.length} handler calls throttled (${operations.join(', ')}), absorbed by the SDK's adaptive retries` +
        `${lambdaRetries ? ` and ${lambdaRetries} Lambda retries` : ', no Lambda retry needed'}`,
      ok,
    );
    expect(byHandlers.length).toBeGreaterThan(0);
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(model).toBe('good');
    expect(training.map((job) => job.TrainingJobStatus)).toEqual(['Completed']);
    expect(processing.map((job) => job.ProcessingJobStatus)).toEqual(['Completed']);
    expect(packages.map((pkg) => pkg.ModelApprovalStatus)).toEqual(['Approved']);
    expect(terminal).toEqual([]);
  }, 60_000);
});

describe('Fault: ResourceLimitExceeded on CreateTrainingJob', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline(['infra', 'trigger-training', 'evaluate-model'], {
      faults: { resourceLimitExceeded: { times: 1, operations: ['CreateTrainingJob'] } },
    });
  });
  afterAll(() => p?.stop());

  it('is a terminal failure of trigger-training that says so, is not retried, and creates nothing', async () => {
    // Act
    const eventId = await push(p, IMAGES.good, 'v1');
    const calls = await settledInvocations(p, 'triggerTraining', eventId);
    await sleep(1_500); // past the stack's first Lambda retry delay (1 s): no retry may come
    const later = invocationsOf(p, 'triggerTraining');

    // Assess
    const result = resultOf(calls[0]);
    const [training, processing] = [await trainingJobs(p), await processingJobs(p)];
    const ok =
      later.length === 1 &&
      result.status === 'failed' &&
      /ResourceLimitExceeded/.test(result.error ?? '') &&
      training.length === 0 &&
      processing.length === 0;
    record(
      'ResourceLimitExceeded on CreateTrainingJob',
      p.stack.faults.counts.resourceLimitExceeded,
      `trigger-training: {"status": "${result.status}"} "${String(result.error).slice(0, 120)}…", not retried (${later.length} invocation); ` +
        `${training.length} training jobs, ${processing.length} evaluations`,
      ok,
    );
    expect(later).toHaveLength(1);
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/ResourceLimitExceeded.*'ml\.m5\.large for training job usage'/),
    });
    expect(training).toEqual([]);
    expect(processing).toEqual([]);
  });

  it('trains, and evaluates, once the image is pushed again, the quota being free', async () => {
    // Act
    const eventId = await push(p, IMAGES.good, 'v2');
    const [call] = await settledInvocations(p, 'triggerTraining', eventId);
    const job = await endedTrainingJob(p, String(resultOf(call).trainingJobName));
    const trained = await emittedEvent(
      p,
      'SageMaker Training Job State Change',
      (d) => d.TrainingJobStatus === 'Completed',
    );
    const [evaluate] = await settledInvocations(p, 'evaluateModel', trained);

    // Assess
    expect(resultOf(call).status).toBe('started');
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(await trainingJobs(p)).toHaveLength(1);
    expect(resultOf(evaluate).status).toBe('started');
  });
});

describe('Faults: crashing containers and an endpoint that stays Updating', () => {
  let p: Pipeline;
  let goodTrainingJob = '';
  beforeAll(async () => {
    p = await startPipeline(
      ['infra', 'trigger-training', 'evaluate-model', 'register-model', 'deploy-model'],
      {
        faults: { endpointUpdatingMs: 1_500 },
      },
    );
  });
  afterAll(() => p?.stop());

  it('a training container that crashes: the job fails with its reason and nothing is evaluated', async () => {
    // Act
    const [trigger] = await settledInvocations(p, 'triggerTraining', await push(p, IMAGES.crashTrain, 'v1'));
    const name = String(resultOf(trigger).trainingJobName);
    const job = await endedTrainingJob(p, name);
    const failedEvent = await emittedEvent(
      p,
      'SageMaker Training Job State Change',
      (d) => d.TrainingJobName === name && d.TrainingJobStatus === 'Failed',
    );
    const [evaluation] = await settledInvocations(p, 'evaluateModel', failedEvent);

    // Assess
    const processing = await processingJobs(p);
    const ok =
      job.TrainingJobStatus === 'Failed' &&
      resultOf(evaluation).status === 'training-failed' &&
      processing.length === 0;
    record(
      'training container crashes (exit 1, /opt/ml/output/failure)',
      1,
      `training job ${job.TrainingJobStatus} ("${job.FailureReason}"); evaluate-model: ${resultOf(evaluation).status}; ${processing.length} evaluations started`,
      ok,
    );
    expect(job).toMatchObject({
      TrainingJobStatus: 'Failed',
      FailureReason: expect.stringMatching(
        /^AlgorithmError: MemoryError: the crash-train training container crashed/,
      ),
    });
    expect(resultOf(evaluation)).toMatchObject({
      status: 'training-failed',
      trainingJobName: name,
      failureReason: job.FailureReason,
    });
    expect(processing).toEqual([]);
  });

  it('an evaluation container that crashes: the evaluation fails and nothing is registered', async () => {
    // Act
    const [trigger] = await settledInvocations(
      p,
      'triggerTraining',
      await push(p, IMAGES.crashEvaluate, 'v1'),
    );
    const training = await endedTrainingJob(p, String(resultOf(trigger).trainingJobName));
    const trainedEvent = await emittedEvent(
      p,
      'SageMaker Training Job State Change',
      (d) => d.TrainingJobName === training.TrainingJobName && d.TrainingJobStatus === 'Completed',
    );
    const [evaluate] = await settledInvocations(p, 'evaluateModel', trainedEvent);
    const evaluationJob = await endedProcessingJob(p, String(resultOf(evaluate).processingJobName));
    const failedEvent = await emittedEvent(
      p,
      'SageMaker Processing Job State Change',
      (d) => d.ProcessingJobName === evaluationJob.ProcessingJobName && d.ProcessingJobStatus === 'Failed',
    );
    const [register] = await settledInvocations(p, 'registerModel', failedEvent);

    // Assess
    const packages = await modelPackages(p);
    const ok =
      evaluationJob.ProcessingJobStatus === 'Failed' &&
      resultOf(register).status === 'failed' &&
      /nothing registered/.test(resultOf(register).error ?? '') &&
      packages.length === 0;
    record(
      'evaluation container crashes (exit 1, /opt/ml/output/failure)',
      1,
      `evaluation job ${evaluationJob.ProcessingJobStatus} ("${evaluationJob.FailureReason}"); register-model: ${resultOf(register).status} ("${resultOf(register).error}"); ${packages.length} model packages`,
      ok,
    );
    expect(training.TrainingJobStatus).toBe('Completed');
    expect(evaluationJob).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: expect.stringMatching(
        /^AlgorithmError: ValueError: the crash-evaluate evaluation container crashed/,
      ),
    });
    expect(resultOf(register)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/Failed: AlgorithmError: ValueError.*nothing registered/),
    });
    expect(packages).toEqual([]);
  });

  it('a serving container that fails /ping on update: the update rolls back and the old model keeps serving', async () => {
    // Prepare: a good model, registered and serving
    const [trigger] = await settledInvocations(p, 'triggerTraining', await push(p, IMAGES.good, 'v1'));
    goodTrainingJob = String(resultOf(trigger).trainingJobName);
    const live = await endpointWhen(p, 'InService', (e) => e.EndpointStatus === 'InService');
    expect(await servingModel(p)).toBe('good');

    // Act: a better model whose serving container never passes /ping
    await push(p, IMAGES.failPing, 'v1');
    await eventually('version 2', async () => ((await modelPackages(p)).length === 2 ? true : undefined));
    await endpointWhen(p, 'Updating', (e) => e.EndpointStatus === 'Updating');
    const answers: string[] = [];
    let settled: Awaited<ReturnType<typeof endpointWhen>> | undefined;
    while (!settled) {
      answers.push(await servingModel(p));
      settled = await endpointWhen(p, 'settled', (e) => e.EndpointStatus !== 'Updating', 100).catch(
        () => undefined,
      );
    }
    answers.push(await servingModel(p));

    // Assess
    const packages = await modelPackages(p);
    const ok =
      settled.EndpointStatus === 'InService' &&
      settled.EndpointConfigName === live.EndpointConfigName &&
      /ping health check/.test(settled.FailureReason ?? '') &&
      answers.every((answer) => answer === 'good');
    record(
      'serving container fails /ping on update (answers 500, then exits)',
      1,
      `version ${packages[1]?.ModelPackageVersion} registered, its update rolled back: endpoint ${settled.EndpointStatus} on ${settled.EndpointConfigName} ("${settled.FailureReason?.slice(0, 110)}…"); ` +
        `${answers.filter((answer) => answer === 'good').length}/${answers.length} invocations during and after the update answered by the old model`,
      ok,
    );
    expect(packages.map((pkg) => pkg.ModelApprovalStatus)).toEqual(['Approved', 'Approved']);
    expect(settled).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: live.EndpointConfigName,
      FailureReason: expect.stringMatching(/did not pass the ping health check/),
    });
    expect(answers.length).toBeGreaterThan(1);
    expect(new Set(answers)).toEqual(new Set(['good']));
  });

  it('an endpoint that stays Updating: deploy-model does nothing while it is busy, and deploys the newest version when it settles', async () => {
    // Prepare: versions registered as an approver would, from the good model with labels to tell them apart
    const first = await modelPackages(p);
    const v1 = await p.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: first[0]?.ModelPackageArn }),
    );
    const container = v1.InferenceSpecification?.Containers?.[0];
    expect(container?.ModelDataUrl).toContain(`/${goodTrainingJob}/`);
    const register = async (label: string): Promise<number> => {
      const { ModelPackageArn } = await p.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: GROUP,
          ModelApprovalStatus: 'Approved',
          InferenceSpecification: {
            Containers: [
              {
                Image: container?.Image,
                ModelDataUrl: container?.ModelDataUrl,
                Environment: { MODEL_LABEL: label },
              },
            ],
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['application/json'],
          },
        }),
      );
      return Number(ModelPackageArn?.split('/').pop());
    };
    const packageEvent = (version: number) =>
      emittedEvent(p, 'SageMaker Model Package State Change', (d) => d.ModelPackageVersion === version);

    // Act: version 3 starts an update that stays Updating for 1.5 s; version 4 arrives meanwhile
    const v3 = await register('v3');
    await settledInvocations(p, 'deployModel', await packageEvent(v3));
    const during = await endpointWhen(
      p,
      'Updating towards version 3',
      (e) => e.EndpointStatus === 'Updating',
    );
    const v4 = await register('v4');
    const v4Calls = await settledInvocations(p, 'deployModel', await packageEvent(v4));
    const endpoint = await endpointWhen(
      p,
      'InService on version 4',
      (e) =>
        e.EndpointStatus === 'InService' &&
        e.EndpointConfigName !== during.PendingDeploymentSummary?.EndpointConfigName,
    );
    const model = await servingModel(p);

    // Assess: version 4's event found the endpoint busy and did nothing, without an error to retry; the
    // endpoint's settle event (IN_SERVICE on version 3) then deployed version 4
    const deployedBy = invocationsOf(p, 'deployModel').find(
      (call) => resultOf(call).status === 'deploying' && resultOf(call).modelPackageVersion === v4,
    );
    const settleEvent = p.stack.bus.recorded.find(
      (recorded) => recorded.event.id === deployedBy?.eventId,
    )?.event;
    const ok =
      v4Calls.length === 1 &&
      v4Calls[0]?.status === 'success' &&
      resultOf(v4Calls[0]).status === 'busy' &&
      settleEvent?.['detail-type'] === 'SageMaker Endpoint State Change' &&
      model === 'v4';
    record(
      `endpoint stays Updating for 1.5 s while a newer version is approved`,
      p.stack.faults.counts.endpointUpdating,
      `deploy-model for version ${v4}: ${v4Calls.map((call) => `attempt ${call.attempt} ${call.status} ${String(resultOf(call).status)}`).join(', ')}; ` +
        `then its endpoint's settle event (${String(settleEvent?.detail.EndpointStatus)}) deployed version ${v4}; endpoint ${endpoint.EndpointStatus}, model ${model} answers`,
      ok,
    );
    expect(during.PendingDeploymentSummary?.EndpointConfigName).toBeDefined();
    expect(v4Calls).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'success',
        result: expect.objectContaining({
          status: 'busy',
          endpointStatus: 'Updating',
          reason: expect.stringMatching(new RegExp(`endpoint ${ENDPOINT} is Updating`)),
        }),
      }),
    ]);
    expect(settleEvent).toMatchObject({
      'detail-type': 'SageMaker Endpoint State Change',
      detail: { EndpointName: ENDPOINT, EndpointStatus: 'IN_SERVICE' },
    });
    expect(deployedBy).toMatchObject({
      status: 'success',
      result: expect.objectContaining({ status: 'deploying', action: 'update', modelPackageVersion: v4 }),
    });
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(model).toBe('v4');
  });
});
