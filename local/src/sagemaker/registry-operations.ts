import { AwsError, validationError } from '../aws/errors.js';
import {
  APPROVAL,
  found,
  listOf,
  type ModelPackage,
  type ModelPackageGroup,
  type Operations,
  type Plane,
} from './plane.js';
import { arnOf, type Input, seconds, withoutUndefined } from './resources.js';
import { requireField, validateEnum, validateName } from './validation.js';

/** The registry operations of the control plane. */
export function registryOperations(plane: Plane): Operations {
  return {
    CreateModelPackageGroup: (input) => {
      const name = validateName(input, 'ModelPackageGroupName');
      const arn = arnOf(plane.context, 'model-package-group', name);
      if (plane.groups.has(name)) throw validationError(`Model Package Group already exists: ${arn}`);
      const now = new Date();
      plane.groups.set(name, {
        name,
        arn,
        request: input,
        creationTime: now,
        lastModifiedTime: now,
        status: 'Completed',
      });
      plane.setTags(arn, input.Tags);
      return { ModelPackageGroupArn: arn };
    },
    DescribeModelPackageGroup: (input) => {
      const group = groupOf(plane, String(requireField(input, 'ModelPackageGroupName')));
      return withoutUndefined({
        ModelPackageGroupName: group.name,
        ModelPackageGroupArn: group.arn,
        ModelPackageGroupDescription: group.request.ModelPackageGroupDescription,
        CreationTime: seconds(group.creationTime),
        CreatedBy: {},
        ModelPackageGroupStatus: 'Completed',
      });
    },
    ListModelPackageGroups: (input) =>
      listOf(
        plane.groups.values(),
        input,
        'ModelPackageGroupSummaryList',
        (group) => ({
          ModelPackageGroupName: group.name,
          ModelPackageGroupArn: group.arn,
          ModelPackageGroupDescription: group.request.ModelPackageGroupDescription,
          CreationTime: seconds(group.creationTime),
          ModelPackageGroupStatus: 'Completed',
        }),
        { defaultSortOrder: 'Ascending' },
      ),
    DeleteModelPackageGroup: (input) => {
      const group = groupOf(plane, String(requireField(input, 'ModelPackageGroupName')));
      if ([...plane.packages.values()].some((pkg) => pkg.groupName === group.name)) {
        throw new AwsError('ConflictException', `Model Package Group ${group.name} still has model packages`);
      }
      plane.groups.delete(group.name);
      return {};
    },
    CreateModelPackage: (input) => createModelPackage(plane, input),
    DescribeModelPackage: (input) =>
      describeModelPackage(plane, packageOf(plane, String(requireField(input, 'ModelPackageName')))),
    ListModelPackages: (input) => {
      const groupFilter = input.ModelPackageGroupName as string | undefined;
      const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL);
      const type = validateEnum(input, 'ModelPackageType', ['Versioned', 'Unversioned', 'Both']);
      const candidates = [...plane.packages.values()].filter(
        (pkg) =>
          (groupFilter === undefined ||
            pkg.groupName === groupFilter ||
            plane.groups.get(pkg.groupName)?.arn === groupFilter) &&
          (approval === undefined || pkg.approvalStatus === approval) &&
          type !== 'Unversioned',
      );
      return listOf(
        candidates,
        input,
        'ModelPackageSummaryList',
        (pkg) => ({
          ModelPackageGroupName: pkg.groupName,
          ModelPackageVersion: pkg.version,
          ModelPackageArn: pkg.arn,
          ModelPackageDescription: pkg.request.ModelPackageDescription,
          CreationTime: seconds(pkg.creationTime),
          ModelPackageStatus: 'Completed',
          ModelApprovalStatus: pkg.approvalStatus,
        }),
        { defaultSortOrder: 'Ascending' },
      );
    },
    UpdateModelPackage: (input) => {
      const arn = String(requireField(input, 'ModelPackageArn'));
      const pkg = packageOf(plane, arn);
      const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL);
      const changed = approval !== undefined && approval !== pkg.approvalStatus;
      if (approval) pkg.approvalStatus = approval;
      if (input.ApprovalDescription !== undefined)
        pkg.approvalDescription = String(input.ApprovalDescription);
      if (input.CustomerMetadataProperties !== undefined) {
        pkg.customerMetadata = {
          ...(pkg.customerMetadata ?? {}),
          ...(input.CustomerMetadataProperties as Input),
        };
      }
      for (const key of (input.CustomerMetadataPropertiesToRemove as string[] | undefined) ?? [])
        delete pkg.customerMetadata?.[key];
      pkg.lastModifiedTime = new Date();
      if (changed) modelPackageChanged(plane, pkg);
      return { ModelPackageArn: pkg.arn };
    },
  };
}

function groupOf(plane: Plane, nameOrArn: string): ModelPackageGroup {
  return found(
    plane.groups.get(nameOrArn) ??
      [...plane.groups.values()].find((candidate) => candidate.arn === nameOrArn),
    `ModelPackageGroup ${nameOrArn} does not exist.`,
  );
}

function packageOf(plane: Plane, arn: string): ModelPackage {
  return found(plane.packages.get(arn), `ModelPackage ${arn} does not exist.`);
}

function createModelPackage(plane: Plane, input: Input): Input {
  const token = input.ClientToken as string | undefined;
  if (token !== undefined && (typeof token !== 'string' || !/^[a-zA-Z0-9-]{1,36}$/.test(token))) {
    throw validationError(
      `1 validation error detected: Value '${String(token)}' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$ and have length less than or equal to 36`,
    );
  }
  if (token && plane.clientTokens.has(token)) return { ModelPackageArn: plane.clientTokens.get(token) };
  if (input.ModelPackageName !== undefined && input.ModelPackageGroupName !== undefined) {
    throw validationError(
      'Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.',
    );
  }
  if (input.ModelPackageGroupName === undefined) {
    throw validationError(
      'The local stack supports versioned model packages only: pass ModelPackageGroupName.',
    );
  }
  const group = groupOf(plane, String(input.ModelPackageGroupName));
  const approval = validateEnum(input, 'ModelApprovalStatus', APPROVAL) ?? 'PendingManualApproval';
  const version = [...plane.packages.values()].filter((pkg) => pkg.groupName === group.name).length + 1;
  const arn = `${arnOf(plane.context, 'model-package', group.name)}/${version}`;
  const now = new Date();
  const pkg: ModelPackage = {
    name: group.name,
    arn,
    request: input,
    groupName: group.name,
    version,
    approvalStatus: approval,
    creationTime: now,
    lastModifiedTime: now,
    status: 'Completed',
    customerMetadata: input.CustomerMetadataProperties as Input | undefined,
  };
  plane.packages.set(arn, pkg);
  if (token) plane.clientTokens.set(token, arn);
  plane.setTags(arn, input.Tags);
  modelPackageChanged(plane, pkg);
  return { ModelPackageArn: arn };
}

function describeModelPackage(_plane: Plane, pkg: ModelPackage): Input {
  return withoutUndefined({
    ModelPackageName: pkg.groupName,
    ModelPackageGroupName: pkg.groupName,
    ModelPackageVersion: pkg.version,
    ModelPackageArn: pkg.arn,
    ModelPackageDescription: pkg.request.ModelPackageDescription,
    CreationTime: seconds(pkg.creationTime),
    InferenceSpecification: pkg.request.InferenceSpecification,
    ModelPackageStatus: 'Completed',
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: pkg.request.CertifyForMarketplace ?? false,
    ModelApprovalStatus: pkg.approvalStatus,
    ApprovalDescription: pkg.approvalDescription,
    MetadataProperties: pkg.request.MetadataProperties,
    ModelMetrics: pkg.request.ModelMetrics,
    CustomerMetadataProperties: pkg.customerMetadata,
    Domain: pkg.request.Domain,
    Task: pkg.request.Task,
    SamplePayloadUrl: pkg.request.SamplePayloadUrl,
    LastModifiedTime: seconds(pkg.lastModifiedTime),
  });
}

function modelPackageChanged(plane: Plane, pkg: ModelPackage): void {
  const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const detail = {
    ...describeModelPackage(plane, pkg),
    CreationTime: iso(pkg.creationTime),
    LastModifiedTime: iso(pkg.lastModifiedTime),
    Tags: plane.tagMap(pkg.arn),
  };
  plane.context.bus.emit('aws.sagemaker', 'SageMaker Model Package State Change', detail, [pkg.arn]);
  plane.context.logger.info('registry', `${pkg.groupName}/${pkg.version} ${pkg.approvalStatus}`);
}
