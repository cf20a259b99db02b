import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { RetryableError } from '../../src/errors.js';
import { newestApproved, REGISTRY_READS } from '../../src/registry.js';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-1' });
const arnOf = (version: number) =>
  `arn:aws:sagemaker:us-east-1:000000000000:model-package/mlpipe-dev/${version}`;
const listing = (version: number) => ({
  ModelPackageSummaryList: [
    {
      ModelPackageArn: arnOf(version),
      ModelPackageVersion: version,
      ModelApprovalStatus: 'Approved' as const,
      ModelPackageStatus: 'Completed' as const,
      CreationTime: new Date('2026-11-16T00:00:00Z'),
    },
  ],
});

describe('Function: newestApproved', () => {
  beforeEach(() => sagemaker.reset());

  it('asks the registry for the one newest Approved version of the group, and describes it', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves(listing(3));
    sagemaker
      .on(DescribeModelPackageCommand)
      .resolves({ ModelPackageVersion: 3, ModelApprovalStatus: 'Approved' });

    const newest = await newestApproved(client, 'mlpipe-dev', 'deploying');

    expect(newest).toMatchObject({ arn: arnOf(3), pkg: { ModelPackageVersion: 3 } });
    expect(sagemaker).toHaveReceivedCommandWith(ListModelPackagesCommand, {
      ModelPackageGroupName: 'mlpipe-dev',
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    });
  });

  it('answers undefined for a group with no Approved version, without describing anything', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });

    await expect(newestApproved(client, 'mlpipe-dev', 'deploying')).resolves.toBeUndefined();
    expect(sagemaker).not.toHaveReceivedCommand(DescribeModelPackageCommand);
  });

  it('reads again when the listed version was rejected before it was described', async () => {
    sagemaker.on(ListModelPackagesCommand).resolvesOnce(listing(3)).resolves(listing(2));
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: arnOf(3) })
      .resolves({ ModelPackageVersion: 3, ModelApprovalStatus: 'Rejected' });
    sagemaker
      .on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) })
      .resolves({ ModelPackageVersion: 2, ModelApprovalStatus: 'Approved' });

    await expect(newestApproved(client, 'mlpipe-dev', 'gating')).resolves.toMatchObject({ arn: arnOf(2) });
    expect(sagemaker).toHaveReceivedCommandTimes(ListModelPackagesCommand, 2);
  });

  it('throws a RetryableError, saying what changed, when the registry keeps changing under every read', async () => {
    sagemaker.on(ListModelPackagesCommand).resolves(listing(3));
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelApprovalStatus: 'Rejected' });

    const read = newestApproved(client, 'mlpipe-dev', 'gating');

    await expect(read).rejects.toThrow(RetryableError);
    await expect(read).rejects.toThrow(
      `Model package ${arnOf(3)} changed to Rejected while gating, ${REGISTRY_READS} reads in a row`,
    );
    expect(sagemaker).toHaveReceivedCommandTimes(ListModelPackagesCommand, REGISTRY_READS);
  });
});
