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
} from '@aws-sdk/client-sagemaker';
import { missingEndpoint } from '@sagemaker-pipeline/testing/aws-errors';
import { useStageEnv } from '@sagemaker-pipeline/testing/env';
import { mockClient } from 'aws-sdk-client-mock';
import { BUCKET, deployModelCases, IMAGE, modelPackageStateChange } from '../../src/arbitraries.js';
import { describeBadInput, SAGEMAKER_EVENT_DEFECTS } from './harness.js';

const _FUNCTION = 'deploy-model';
const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/3';

useStageEnv('deploy-model');

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
sagemaker.on(DescribeEndpointCommand).rejects(missingEndpoint('mlpipe-dev'));
sagemaker.on(CreateModelCommand).resolves({ ModelArn: 'arn:model' });
sagemaker.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:config' });
sagemaker.on(CreateEndpointCommand).resolves({ EndpointArn: 'arn:endpoint' });
const { main } = await import('../../../packages/deploy-model/src/handler.js');

describeBadInput({
  stage: 'deploy-model',
  main,
  mocks: [sagemaker],
  control: {
    title: 'deploys for an approval in the pipeline group, so the mocks do see writes',
    event: modelPackageStateChange,
    result: { status: 'deploying', action: 'create' },
    commands: [
      'ListModelPackages',
      'DescribeModelPackage',
      'DescribeEndpoint',
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
    ],
  },
  cases: deployModelCases,
  kinds: [...SAGEMAKER_EVENT_DEFECTS, 'bad-version', 'other-group', 'pending-approval'],
});
