import {
  CreateEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import 'aws-sdk-client-mock-jest';
import { describeHandlerContract } from '@sagemaker-pipeline/testing/handler-contract';
import { main } from '../../src/handler.js';
import { sampleEvent } from '../events.js';
import { missingEndpoint, sagemaker } from '../helpers/deploy-fixtures.js';

const context = { functionName: 'deployModel', awsRequestId: 'req-1' } as Context;
const ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/2';

function registryWithVersion2(): void {
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [
      {
        ModelPackageGroupName: 'mlpipe-dev',
        ModelPackageVersion: 2,
        ModelPackageArn: ARN,
        ModelApprovalStatus: 'Approved',
        ModelPackageStatus: 'Completed',
        CreationTime: new Date(),
      },
    ],
  });
  sagemaker.on(DescribeModelPackageCommand).resolves({
    ModelPackageGroupName: 'mlpipe-dev',
    ModelPackageVersion: 2,
    ModelPackageArn: ARN,
    ModelApprovalStatus: 'Approved',
    InferenceSpecification: {
      Containers: [{ Image: 'image@sha256:abc', ModelDataUrl: 's3://bucket/models/model.tar.gz' }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['application/json'],
    },
  });
}

describe('Handler: deploy-model', () => {
  beforeEach(() => {
    sagemaker.reset();
  });

  it('deploys the newest Approved package for an approval event of the pipeline group', async () => {
    registryWithVersion2();
    sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());

    const result = await main(sampleEvent('model-package-approved.json'), context);

    expect(result).toMatchObject({
      status: 'deploying',
      action: 'create',
      endpointName: 'mlpipe-dev',
      modelPackageVersion: 2,
    });
    expect(sagemaker).toHaveReceivedCommandTimes(CreateEndpointCommand, 1);
  });

  it.each(['ModelPackageVersion', 'ModelPackageStatus', 'CreationTime'])(
    'deploys the newest Approved package for an approval event whose %s is null',
    async (field) => {
      // Prepare
      registryWithVersion2();
      sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint());
      const event = sampleEvent<{ detail: Record<string, unknown> }>('model-package-approved.json');
      event.detail[field] = null;

      // Act
      const result = await main(event, context);

      // Assess
      expect(result).toMatchObject({ status: 'deploying', action: 'create', modelPackageVersion: 2 });
      expect(sagemaker).toHaveReceivedCommandTimes(CreateEndpointCommand, 1);
    },
  );

  it('skips an event of another model package group and makes no AWS call', async () => {
    const result = await main(sampleEvent('other-group.json'), context);

    expect(result).toEqual({
      status: 'skipped',
      reason: 'model package group another-team-models; this pipeline deploys mlpipe-dev',
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('returns a validation error naming the missing group and makes no AWS call', async () => {
    const result = await main(sampleEvent('malformed-missing-group.json'), context);

    expect(result).toMatchObject({
      status: 'invalid',
      error: expect.stringContaining('detail.ModelPackageGroupName'),
      issues: [{ path: 'detail.ModelPackageGroupName' }],
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('refuses an unknown approval status as invalid, naming the field', async () => {
    const event = sampleEvent<{ detail: Record<string, unknown> }>('model-package-approved.json');
    event.detail.ModelApprovalStatus = 'Approved-ish';

    await expect(main(event, context)).resolves.toMatchObject({
      status: 'invalid',
      issues: [{ path: 'detail.ModelApprovalStatus' }],
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('answers busy, without an error for Lambda to retry, while the endpoint is updating', async () => {
    registryWithVersion2();
    sagemaker.on(DescribeEndpointCommand).resolves({
      EndpointName: 'mlpipe-dev',
      EndpointConfigName: 'mlpipe-dev-endpoint-config-000000000001',
      EndpointStatus: 'Updating',
    });

    await expect(main(sampleEvent('model-package-approved.json'), context)).resolves.toMatchObject({
      status: 'busy',
      endpointStatus: 'Updating',
      reason: expect.stringContaining('endpoint mlpipe-dev is Updating'),
    });
    expect(sagemaker).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it.each([
    ['its endpoint settling', 'endpoint-in-service.json'],
    ['its schedule', 'scheduled-reconcile.json'],
  ])('reconciles on %s, parsed with that event kind', async (_label, file) => {
    registryWithVersion2();
    sagemaker.on(DescribeEndpointCommand).resolves({
      EndpointName: 'mlpipe-dev',
      EndpointConfigName: 'mlpipe-dev-endpoint-config-000000000001',
      EndpointStatus: 'Creating',
    });

    await expect(main(sampleEvent(file), context)).resolves.toMatchObject({ status: 'busy' });
  });

  it('names the field of the event kind it recognised, or the detail-type it does not', async () => {
    const settle = sampleEvent<{ detail: Record<string, unknown> }>('endpoint-in-service.json');
    delete settle.detail.EndpointName;

    await expect(main(settle, context)).resolves.toMatchObject({
      status: 'invalid',
      issues: [{ path: 'detail.EndpointName' }],
    });
    await expect(
      main({ ...sampleEvent<object>('scheduled-reconcile.json'), 'detail-type': 'Object Created' }, context),
    ).resolves.toMatchObject({ status: 'invalid', issues: [{ path: 'detail-type' }] });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('reports a package without an inference container as failed, without a retry', async () => {
    registryWithVersion2();
    sagemaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageGroupName: 'mlpipe-dev',
      ModelPackageVersion: 2,
      ModelPackageArn: ARN,
      ModelApprovalStatus: 'Approved',
    });

    await expect(main(sampleEvent('model-package-approved.json'), context)).resolves.toEqual({
      status: 'failed',
      error: `Model package ${ARN} has no inference container image to deploy (InferenceSpecification.Containers)`,
    });
  });
});

describeHandlerContract({
  stage: 'deploy-model',
  main,
  load: () => import('../../src/handler.js'),
  mocks: [sagemaker],
  event: () => sampleEvent('model-package-approved.json'),
  required: ['ModelPackageGroupName', 'ModelPackageArn', 'ModelApprovalStatus'],
  coldStart: {
    variable: 'ENDPOINT_NAME',
    value: 'not a valid endpoint name',
    error: 'Invalid configuration: ENDPOINT_NAME must be an endpoint name (1-63 letters, digits, hyphens)',
  },
});
