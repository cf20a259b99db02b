/**
 * Bad input for deploy-model: at least 500 generated malformed or foreign model package events through the
 * wired handler; each is refused as invalid (naming a field) or skipped, with no AWS call. The mocks answer
 * with an Approved version of the pipeline's group and no endpoint, so an event let through would deploy it.
 */
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { BUCKET, deployModelCases, IMAGE, modelPackageStateChange } from '../../src/arbitraries.js';
import { recordFigures } from '../../src/figures.js';
import { check, lambdaContext, newTally, RUNS, seedFor, sentCommands } from './harness.js';

const FUNCTION = 'deploy-model';
const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/3';

// The stage environment (packages/deploy-model/tests/setup-env.ts), set before the handler is loaded.
Object.assign(process.env, {
  PIPELINE_NAME: 'mlpipe-dev',
  MODEL_REGISTRY_NAME: 'mlpipe-dev',
  SAGEMAKER_ROLE: 'arn:aws:iam::000000000000:role/mlpipe-dev-sagemaker',
  ENDPOINT_NAME: 'mlpipe-dev',
});
delete process.env.AWS_ENDPOINT_URL;

const sagemaker = mockClient(SageMakerClient);
sagemaker.on(ListModelPackagesCommand).resolves({
  ModelPackageSummaryList: [
    {
      ModelPackageGroupName: 'mlpipe-dev',
      ModelPackageVersion: 3,
      ModelPackageArn: PACKAGE_ARN,
      ModelApprovalStatus: 'Approved',
      ModelPackageStatus: 'Completed',
      CreationTime: new Date('2026-11-16T00:00:00Z'),
    },
  ],
});
sagemaker.on(DescribeModelPackageCommand).resolves({
  ModelPackageGroupName: 'mlpipe-dev',
  ModelPackageVersion: 3,
  ModelPackageArn: PACKAGE_ARN,
  ModelApprovalStatus: 'Approved',
  InferenceSpecification: {
    Containers: [{ Image: `${IMAGE}:latest`, ModelDataUrl: `s3://${BUCKET}/models/x/output/model.tar.gz` }],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['application/json'],
  },
});
sagemaker.on(DescribeEndpointCommand).rejects(
  new SageMakerServiceException({
    name: 'ValidationException',
    message: 'Could not find endpoint "mlpipe-dev".',
    $fault: 'client',
    $metadata: {},
  }),
);
sagemaker.on(CreateModelCommand).resolves({ ModelArn: 'arn:model' });
sagemaker.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:config' });
sagemaker.on(CreateEndpointCommand).resolves({ EndpointArn: 'arn:endpoint' });
const { main } = await import('../../../packages/deploy-model/src/handler.js');

const tally = newTally();

describe(`Function: ${FUNCTION}, bad input`, () => {
  afterAll(() => {
    recordFigures(`bad-input-${FUNCTION}`, { perFunction: { [FUNCTION]: tally } });
  });

  it('deploys for an approval in the pipeline group, so the mocks do see writes', async () => {
    const event = fc.sample(modelPackageStateChange, { numRuns: 1, seed: seedFor(FUNCTION) })[0];
    sagemaker.resetHistory();

    const result = await main(event, lambdaContext(FUNCTION));

    expect(result).toMatchObject({ status: 'deploying', action: 'create' });
    expect(sentCommands([sagemaker])).toEqual([
      'ListModelPackages',
      'DescribeModelPackage',
      'DescribeEndpoint',
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
    ]);
  });

  it(`refuses or skips ${RUNS} malformed or foreign events without any AWS call or crash`, async () => {
    await fc.assert(
      fc.asyncProperty(deployModelCases, (bad) => check(main, FUNCTION, [sagemaker], bad, tally)),
      { numRuns: RUNS, seed: seedFor(FUNCTION) },
    );

    expect(tally).toMatchObject({ writes: 0, crashes: 0 });
    expect(tally.tried).toBeGreaterThanOrEqual(500);
    expect(tally.invalid + tally.skipped).toBe(tally.tried);
  });

  it('tried every kind of defect', () => {
    expect(Object.keys(tally.kinds).sort()).toEqual(
      expect.arrayContaining([
        'array-event',
        'bad-datetime',
        'bad-version',
        'detail-not-object',
        'empty-string',
        'deeply-nested',
        'extra-field',
        'foreign-detail',
        'huge-string',
        'json-string-event',
        'missing-field',
        'mistyped-field',
        'non-object-event',
        'null-optional-field',
        'null-required-field',
        'other-detail-type',
        'other-event',
        'other-group',
        'other-kind-detail-type',
        'other-source',
        'out-of-enum',
        'pending-approval',
        'unicode-string',
      ]),
    );
  });
});
