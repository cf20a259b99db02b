/**
 * The model registry as the stages read it: the newest Approved version of a group (register-model's champion,
 * the version deploy-model serves), the same query for both.
 */
import {
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { RetryableError } from './errors.js';

/** How many times the registry is read again when the listed package is no longer Approved once described. */
export const REGISTRY_READS = 3;

/**
 * The newest Approved version of the group (its ARN as listed, and its description), or undefined when the group has none. A version can be
 * rejected between the list and the describe (two decisions in a row): the registry is then read again, and
 * only a registry that keeps changing under it throws a RetryableError (the event is retried).
 */
export async function newestApproved(
  sagemaker: SageMakerClient,
  groupName: string,
  doing: string,
): Promise<{ arn: string; pkg: DescribeModelPackageCommandOutput } | undefined> {
  let changed = '';
  for (let read = 0; read < REGISTRY_READS; read += 1) {
    const listed = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: groupName,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    const arn = listed.ModelPackageSummaryList?.[0]?.ModelPackageArn;
    if (!arn) return undefined;
    const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    if (pkg.ModelApprovalStatus === 'Approved') return { arn, pkg };
    changed = `Model package ${arn} changed to ${pkg.ModelApprovalStatus} while ${doing}`;
  }
  throw new RetryableError(
    `${changed}, ${REGISTRY_READS} reads in a row; retrying to pick the newest Approved one`,
  );
}
