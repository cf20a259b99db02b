// What a CloudFormation stack on the offline stack is made of (its resources, events, outputs) and how a template
// is read: parsed, checked for a Resources section, and ordered so that each resource comes after those it refers
// to. The engine (engine.ts) acts on these; the API (api.ts) and the resource types (resource-types.ts,
// lambda-types.ts) share them.
import type { CfnTemplate } from '@sagemaker-pipeline/testing/cfn-expressions';
import { AwsError } from '../aws/errors.js';

export type Properties = Record<string, unknown>;

export interface Provisioned {
  physicalId: string;
  attributes?: Record<string, string>;
}

export interface ResourceContext {
  stackName: string;
  logicalId: string;
}

/** How the stack provisions one resource type. Without `update`, a changed resource is replaced. */
export interface ResourceType {
  create(properties: Properties, context: ResourceContext): Promise<Provisioned> | Provisioned;
  update?(
    current: ResourceRecord,
    properties: Properties,
    context: ResourceContext,
  ): Promise<Provisioned> | Provisioned;
  delete(current: ResourceRecord, context: ResourceContext): Promise<void> | void;
}

export interface ResourceRecord {
  logicalId: string;
  type: string;
  physicalId: string;
  properties: Properties;
  attributes: Record<string, string>;
  status: string;
  statusReason?: string;
  updatedAt: Date;
}

export interface StackEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: Date;
  ResourceStatus: string;
  ResourceStatusReason?: string;
}

export interface StackOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface CfnStackState {
  id: string;
  name: string;
  status: string;
  statusReason?: string;
  templateBody: string;
  template: CfnTemplate;
  parameters: Record<string, string>;
  resources: Map<string, ResourceRecord>;
  outputs: StackOutput[];
  events: StackEvent[];
  createdAt: Date;
  updatedAt?: Date;
  deletedAt?: Date;
  tags: { Key: string; Value: string }[];
  capabilities: string[];
  /** Export names this stack's template imports (an export in use cannot go). */
  imports: Set<string>;
}

/** A template as CloudFormation reads it: JSON or YAML text with a Resources section. */
export function parseTemplate(body: string, parse: (text: string) => unknown): CfnTemplate {
  let template: unknown;
  try {
    template = parse(body);
  } catch (error) {
    throw new AwsError(
      'ValidationError',
      `Template format error: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  const resources = (template as { Resources?: unknown } | null)?.Resources;
  if (!resources || typeof resources !== 'object' || Object.keys(resources).length === 0) {
    throw new AwsError(
      'ValidationError',
      'Template format error: At least one Resources member must be defined.',
    );
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (typeof (resource as { Type?: unknown })?.Type !== 'string') {
      throw new AwsError(
        'ValidationError',
        `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
      );
    }
  }
  return template as CfnTemplate;
}

/** The logical ids a value refers to: Ref, Fn::GetAtt and Fn::Sub's `${Id}` / `${Id.Attribute}`. */
function referencesOf(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencesOf(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref' && typeof item === 'string') into.add(item);
      else if (key === 'Fn::GetAtt')
        into.add(String(Array.isArray(item) ? item[0] : String(item).split('.')[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(item) ? item[0] : item;
        for (const match of String(text).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) into.add(String(match[1]));
        if (Array.isArray(item)) referencesOf(item[1], into);
      } else referencesOf(item, into);
    }
  }
  return into;
}

/** The template's resources in an order where each comes after those it refers to or DependsOn. */
export function creationOrder(template: CfnTemplate, included: (logicalId: string) => boolean): string[] {
  const ids = Object.keys(template.Resources).filter(included);
  const dependencies = new Map(
    ids.map((id) => {
      const resource = template.Resources[id] ?? { Type: '' };
      const refs = referencesOf(resource.Properties ?? {}, new Set());
      const dependsOn = resource.DependsOn;
      for (const dependency of Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : [])
        refs.add(String(dependency));
      return [id, [...refs].filter((ref) => ids.includes(ref) && ref !== id)];
    }),
  );
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      throw new AwsError(
        'ValidationError',
        `Circular dependency between resources: [${[...path, id].join(', ')}]`,
      );
    }
    state.set(id, 'visiting');
    for (const dependency of dependencies.get(id) ?? []) visit(dependency, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id, []);
  return order;
}
