/**
 * The packaged CloudFormation templates of every service (`packages/<service>/.packaged/`, written by
 * `serverless package`, which turbo runs before these tests), with the names and exports they will deploy (the
 * resolver of intrinsic functions is testing/cloudformation's resolveValue).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CfnTemplate,
  readPackagedTemplate,
  resolveValue as resolveWith,
  resourceValue,
} from '@sagemaker-pipeline/testing/cloudformation';

export { intrinsicName } from '@sagemaker-pipeline/testing/cloudformation';

export const PACKAGES_DIR = fileURLToPath(new URL('../../packages', import.meta.url));

/**
 * Pseudo parameters as the templates were packaged: pipeline.yml's default account (the offline stack's), so
 * that ARNs built with `${AWS::AccountId}` agree with the names serverless.yml derived from the account.
 */
export const DEPLOY_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::AccountId': '000000000000',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A template value as CloudFormation would deploy it, with the parameters the templates were packaged with. */
export const resolveValue = (
  value: unknown,
  template: CfnTemplate,
  parameters: Readonly<Record<string, string>> = DEPLOY_PARAMETERS,
): string => resolveWith(value, template, parameters);

export interface PackagedTemplate {
  /** The package folder: `infra`, `trigger-training`... */
  service: string;
  template: CfnTemplate;
}

/** Every service package (a folder of packages/ with a serverless.yml) and its packaged template. */
export function packagedTemplates(packagesDir: string = PACKAGES_DIR): PackagedTemplate[] {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(packagesDir, entry.name, 'serverless.yml')),
    )
    .map((entry) => entry.name)
    .sort()
    .map((service) => ({ service, template: readPackagedTemplate(path.join(packagesDir, service)) }));
}

/** The export names of a template's outputs, resolved. */
export function exportNames(template: CfnTemplate, parameters = DEPLOY_PARAMETERS): string[] {
  return Object.values(template.Outputs ?? {})
    .filter((output) => output.Export !== undefined)
    .map((output) => resolveValue(output.Export?.Name, template, parameters));
}

/** Properties that name a resource, per type: how other stacks find it without an export. */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SageMaker::ModelPackageGroup': 'ModelPackageGroupName',
  'AWS::SNS::Topic': 'TopicName',
};

export interface DeployedNames {
  /** ARNs of the named resources of every template. */
  arns: Set<string>;
  /** Names per resource type. */
  names: Map<string, Set<string>>;
}

/** The ARNs and names the templates' resources will have, for references by name across stacks. */
export function deployedNames(templates: PackagedTemplate[], parameters = DEPLOY_PARAMETERS): DeployedNames {
  const arns = new Set<string>();
  const names = new Map<string, Set<string>>();
  for (const { template } of templates) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      const property = NAME_PROPERTIES[resource.Type];
      const value = property ? resource.Properties?.[property] : undefined;
      if (!property || value === undefined) continue;
      const set = names.get(resource.Type) ?? new Set<string>();
      set.add(resolveValue(value, template, parameters));
      names.set(resource.Type, set);
      if (resource.Type !== 'AWS::SageMaker::ModelPackageGroup')
        arns.add(resourceValue(template, id, 'Arn', parameters));
    }
  }
  return { arns, names };
}
