import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ROLE } from '../helpers/fixtures.js';
import { useTestStack } from '../helpers/stack.js';

const IMAGE = `000000000000.dkr.ecr.us-east-1.amazonaws.com/model@sha256:${'a'.repeat(64)}`;
const inference = {
  Containers: [{ Image: IMAGE, ModelDataUrl: 's3://ml-artifacts/models/job-1/output/model.tar.gz' }],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['application/json'],
};

describe('SageMaker: model registry, models, endpoint configs and tags', () => {
  const t = useTestStack();

  describe('model package groups', () => {
    it('creates, describes and lists groups with NameContains, sort order and pagination', async () => {
      // Act
      const created = await t.sagemaker.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: 'churn-models',
          ModelPackageGroupDescription: 'churn',
        }),
      );
      for (const name of ['alpha-models', 'beta-models', 'gamma-models']) {
        await t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name }));
      }
      const described = await t.sagemaker.send(
        new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'churn-models' }),
      );
      const page1 = await t.sagemaker.send(
        new ListModelPackageGroupsCommand({ SortBy: 'Name', SortOrder: 'Descending', MaxResults: 3 }),
      );
      const page2 = await t.sagemaker.send(
        new ListModelPackageGroupsCommand({
          SortBy: 'Name',
          SortOrder: 'Descending',
          MaxResults: 3,
          NextToken: page1.NextToken,
        }),
      );
      const filtered = await t.sagemaker.send(new ListModelPackageGroupsCommand({ NameContains: 'ALPHA' }));

      // Assess
      expect(created.ModelPackageGroupArn).toBe(
        'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/churn-models',
      );
      expect(described).toMatchObject({
        ModelPackageGroupName: 'churn-models',
        ModelPackageGroupDescription: 'churn',
        ModelPackageGroupStatus: 'Completed',
      });
      expect(described.CreationTime).toBeInstanceOf(Date);
      expect(page1.ModelPackageGroupSummaryList?.map((group) => group.ModelPackageGroupName)).toEqual([
        'gamma-models',
        'churn-models',
        'beta-models',
      ]);
      expect(page2.ModelPackageGroupSummaryList?.map((group) => group.ModelPackageGroupName)).toEqual([
        'alpha-models',
      ]);
      expect(page2.NextToken).toBeUndefined();
      expect(filtered.ModelPackageGroupSummaryList?.map((group) => group.ModelPackageGroupName)).toEqual([
        'alpha-models',
      ]);
    });

    it('rejects a duplicate group, a bad name and an unknown group', async () => {
      await expect(
        t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn-models' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn_models' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$'),
      });
      await expect(
        t.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'unknown' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });

    it('rejects an invalid NextToken', async () => {
      await expect(
        t.sagemaker.send(new ListModelPackageGroupsCommand({ NextToken: 'garbage' })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('model packages', () => {
    it('versions packages 1..n per group and keeps ClientToken idempotency', async () => {
      // Act
      const first = await t.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'churn-models',
          InferenceSpecification: inference,
          ClientToken: 'eval-job-1',
          ModelApprovalStatus: 'Approved',
        }),
      );
      const retried = await t.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'churn-models',
          InferenceSpecification: inference,
          ClientToken: 'eval-job-1',
          ModelApprovalStatus: 'Approved',
        }),
      );
      const second = await t.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'churn-models',
          InferenceSpecification: inference,
          ClientToken: 'eval-job-2',
        }),
      );
      const other = await t.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'alpha-models',
          InferenceSpecification: inference,
        }),
      );

      // Assess
      expect(first.ModelPackageArn).toBe(
        'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn-models/1',
      );
      expect(retried.ModelPackageArn).toBe(first.ModelPackageArn);
      expect(second.ModelPackageArn).toBe(
        'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn-models/2',
      );
      expect(other.ModelPackageArn).toBe(
        'arn:aws:sagemaker:us-east-1:000000000000:model-package/alpha-models/1',
      );
      const described = await t.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: second.ModelPackageArn }),
      );
      expect(described).toMatchObject({
        ModelPackageGroupName: 'churn-models',
        ModelPackageVersion: 2,
        ModelApprovalStatus: 'PendingManualApproval',
        ModelPackageStatus: 'Completed',
        InferenceSpecification: inference,
      });
    });

    it('lists packages of a group filtered by approval status, newest first', async () => {
      // Act
      const approved = await t.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: 'churn-models',
          ModelApprovalStatus: 'Approved',
        }),
      );
      const newestFirst = await t.sagemaker.send(
        new ListModelPackagesCommand({
          ModelPackageGroupName: 'churn-models',
          SortBy: 'CreationTime',
          SortOrder: 'Descending',
        }),
      );

      // Assess
      expect(approved.ModelPackageSummaryList?.map((pkg) => pkg.ModelPackageVersion)).toEqual([1]);
      expect(newestFirst.ModelPackageSummaryList?.map((pkg) => pkg.ModelPackageVersion)).toEqual([2, 1]);
    });

    it('emits a Model Package State Change event when the approval changes', async () => {
      // Prepare
      const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn-models/2';
      const before = t.stack.bus.recorded.length;

      // Act
      await t.sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ModelApprovalStatus: 'Approved',
          ApprovalDescription: 'gate passed',
        }),
      );
      await t.sagemaker.send(
        new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }),
      );

      // Assess
      const events = t.stack.bus.recorded.slice(before).map((record) => record.event);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: 'aws.sagemaker',
        'detail-type': 'SageMaker Model Package State Change',
        resources: [arn],
        detail: {
          ModelPackageGroupName: 'churn-models',
          ModelPackageVersion: 2,
          ModelPackageArn: arn,
          ModelApprovalStatus: 'Approved',
          ModelPackageStatus: 'Completed',
        },
      });
      expect(events[0]?.detail.CreationTime).toMatch(/Z$/);
    });

    it('rejects a package for an unknown group, a too long ClientToken and an unknown package', async () => {
      await expect(
        t.sagemaker.send(
          new CreateModelPackageCommand({ ModelPackageGroupName: 'nope', InferenceSpecification: inference }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        t.sagemaker.send(
          new CreateModelPackageCommand({
            ModelPackageGroupName: 'churn-models',
            InferenceSpecification: inference,
            ClientToken: 'x'.repeat(37),
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        t.sagemaker.send(
          new UpdateModelPackageCommand({
            ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/churn-models/9',
            ModelApprovalStatus: 'Approved',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });

  describe('models and endpoint configs', () => {
    it('creates, describes and deletes a model and its endpoint config', async () => {
      // Act
      const model = await t.sagemaker.send(
        new CreateModelCommand({
          ModelName: 'churn-v1',
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://b/k/model.tar.gz' },
        }),
      );
      const config = await t.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'churn-v1-config',
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: 'churn-v1',
              InitialInstanceCount: 1,
              InstanceType: 'ml.m5.large',
            },
          ],
        }),
      );
      const describedModel = await t.sagemaker.send(new DescribeModelCommand({ ModelName: 'churn-v1' }));
      const describedConfig = await t.sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: 'churn-v1-config' }),
      );
      await t.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'churn-v1-config' }));
      await t.sagemaker.send(new DeleteModelCommand({ ModelName: 'churn-v1' }));

      // Assess
      expect(model.ModelArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:model/churn-v1');
      expect(config.EndpointConfigArn).toBe(
        'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/churn-v1-config',
      );
      expect(describedModel).toMatchObject({
        ModelName: 'churn-v1',
        PrimaryContainer: { Image: IMAGE },
        ExecutionRoleArn: ROLE,
      });
      expect(describedConfig.ProductionVariants?.[0]).toMatchObject({
        VariantName: 'AllTraffic',
        ModelName: 'churn-v1',
      });
      await expect(
        t.sagemaker.send(new DescribeModelCommand({ ModelName: 'churn-v1' })),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/churn-v1".',
      });
    });

    it('rejects an endpoint config whose model does not exist, and a bad role', async () => {
      await expect(
        t.sagemaker.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: 'orphan-config',
            ProductionVariants: [
              {
                VariantName: 'AllTraffic',
                ModelName: 'missing',
                InitialInstanceCount: 1,
                InstanceType: 'ml.m5.large',
              },
            ],
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('Could not find model'),
      });
      await expect(
        t.sagemaker.send(
          new CreateModelCommand({
            ModelName: 'bad-role',
            ExecutionRoleArn: 'not-a-role',
            PrimaryContainer: { Image: IMAGE },
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining("at 'executionRoleArn'"),
      });
    });
  });

  describe('tags', () => {
    it('adds tags to a resource, merges them, and lists them page by page', async () => {
      // Prepare
      const arn = 'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/beta-models';

      // Act
      await t.sagemaker.send(
        new AddTagsCommand({
          ResourceArn: arn,
          Tags: [
            { Key: 'pipeline', Value: 'churn' },
            { Key: 'stage', Value: 'x' },
          ],
        }),
      );
      await t.sagemaker.send(
        new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'stage', Value: 'register-model' }] }),
      );
      const page1 = await t.sagemaker.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 1 }));
      const page2 = await t.sagemaker.send(
        new ListTagsCommand({ ResourceArn: arn, MaxResults: 1, NextToken: page1.NextToken }),
      );

      // Assess
      expect([...(page1.Tags ?? []), ...(page2.Tags ?? [])]).toEqual([
        { Key: 'pipeline', Value: 'churn' },
        { Key: 'stage', Value: 'register-model' },
      ]);
      expect(page2.NextToken).toBeUndefined();
    });

    it('rejects tags on an unknown resource', async () => {
      await expect(
        t.sagemaker.send(
          new AddTagsCommand({
            ResourceArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/none',
            Tags: [{ Key: 'a', Value: 'b' }],
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });
});
