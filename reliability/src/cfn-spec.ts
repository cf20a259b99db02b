/**
 * Offline validation of CloudFormation templates against the CloudFormation resource specification, as the AWS
 * CDK team publishes it in @aws-cdk/aws-service-spec (Apache-2.0; its database is loaded once, ~0.4 s):
 *
 * - every resource type exists, every property exists (recursively into property types), required properties
 *   are present, values have the spec's type (as CloudFormation coerces them: numbers and booleans for strings,
 *   numeric strings for numbers, "true"/"false" for booleans) and one of its allowed values where it lists them;
 * - resource attributes (DependsOn, DeletionPolicy...) are valid;
 * - every `Ref` names a resource, a parameter or a pseudo parameter; every `Fn::GetAtt` a resource and one of
 *   its type's attributes; every `${...}` of `Fn::Sub` one of those or a variable of its own; every
 *   `Fn::ImportValue` an export of another template; export names are unique across the templates;
 * - parameters have a CloudFormation type and a default their own constraints accept; conditions are made of
 *   condition functions over parameters and pseudo parameters, and every condition a resource, a `Fn::If` or
 *   another condition names exists.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type {
  Property,
  PropertyType,
  Resource,
  SpecDatabase,
  TypeDefinition,
} from '@aws-cdk/service-spec-types';
import type { CfnTemplate } from '@sagemaker-pipeline/testing/cloudformation';
import { DEPLOY_PARAMETERS, exportNames, intrinsicName, resolveValue } from './cfn-templates.js';
import {
  CONDITION_FUNCTIONS,
  INSIDE_CONDITIONS,
  INTRINSICS,
  PARAMETER_TYPES,
  POLICIES,
  PSEUDO_PARAMETERS,
  RESOURCE_KEYS,
  TEMPLATE_SECTIONS,
} from './cfn-vocabulary.js';

export interface NamedTemplate {
  name: string;
  template: CfnTemplate;
}

export interface TemplateProblem {
  template: string;
  /** Where in the template: `Resources.X.Properties.Y[0].Z`. */
  path: string;
  message: string;
}

export interface SpecReport {
  templates: number;
  resources: number;
  /** Property values checked against the spec, nested ones included. */
  properties: number;
  /** Ref, GetAtt, Sub variables and ImportValue resolved. */
  references: number;
  problems: TemplateProblem[];
}

let database: SpecDatabase | undefined;

/** The spec database, loaded once per process. */
export function awsServiceSpec(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ "Condition": name }`, as conditions name other conditions. */
const isConditionName = (value: unknown): value is { Condition: unknown } =>
  isObject(value) && Object.keys(value).length === 1 && 'Condition' in value;

class TemplateChecker {
  readonly problems: TemplateProblem[] = [];
  properties = 0;
  references = 0;
  private readonly resources: Record<string, { Type?: unknown } & Record<string, unknown>>;
  private readonly parameters: Record<string, unknown>;
  private readonly conditions: Record<string, unknown>;

  constructor(
    private readonly db: SpecDatabase,
    private readonly name: string,
    private readonly template: CfnTemplate & Record<string, unknown>,
    private readonly foreignExports: Map<string, string>,
  ) {
    this.resources = (isObject(template.Resources) ? template.Resources : {}) as typeof this.resources;
    this.parameters = isObject(template.Parameters) ? template.Parameters : {};
    this.conditions = isObject(template.Conditions) ? template.Conditions : {};
  }

  private problem(path: string, message: string): void {
    this.problems.push({ template: this.name, path, message });
  }

  private resourceSpec(type: string): Resource | undefined {
    const found = this.db.lookup('resource', 'cloudFormationType', 'equals', type);
    return found.length === 1 ? found[0] : undefined;
  }

  check(): void {
    for (const section of Object.keys(this.template)) {
      if (!TEMPLATE_SECTIONS.has(section)) this.problem(section, 'not a template section');
    }
    if (Object.keys(this.resources).length === 0)
      this.problem('Resources', 'a template needs at least one resource');
    for (const [name, parameter] of Object.entries(this.parameters)) this.checkParameter(name, parameter);
    for (const [name, condition] of Object.entries(this.conditions)) {
      const path = `Conditions.${name}`;
      const fn = intrinsicName(condition);
      if (!isConditionName(condition) && !(fn && CONDITION_FUNCTIONS.has(fn)))
        this.problem(path, 'a condition is a Fn::And, Fn::Equals, Fn::Not, Fn::Or or Condition');
      this.walkCondition(condition, path);
    }
    for (const [id, resource] of Object.entries(this.resources)) this.checkResource(id, resource);
    for (const [id, output] of Object.entries(isObject(this.template.Outputs) ? this.template.Outputs : {})) {
      const path = `Outputs.${id}`;
      if (!isObject(output) || output.Value === undefined) {
        this.problem(path, 'an output needs a Value');
        continue;
      }
      this.walkIntrinsics(output.Value, `${path}.Value`);
      if (output.Export !== undefined) this.walkIntrinsics(output.Export, `${path}.Export`);
    }
  }

  private checkResource(id: string, resource: Record<string, unknown>): void {
    const path = `Resources.${id}`;
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) this.problem(`${path}.${key}`, 'not a resource attribute');
    }
    for (const dependency of [resource.DependsOn].flat().filter((value) => value !== undefined)) {
      if (typeof dependency !== 'string' || !(dependency in this.resources)) {
        this.problem(`${path}.DependsOn`, `${JSON.stringify(dependency)} is not a resource of the template`);
      }
    }
    if (resource.Condition !== undefined && !(String(resource.Condition) in this.conditions)) {
      this.problem(`${path}.Condition`, `${resource.Condition} is not a condition of the template`);
    }
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
      const value = resource[policy];
      if (value !== undefined && !POLICIES.has(String(value)))
        this.problem(`${path}.${policy}`, `invalid: ${value}`);
    }
    const type = resource.Type;
    if (typeof type !== 'string') {
      this.problem(`${path}.Type`, 'missing');
      return;
    }
    const properties = resource.Properties ?? {};
    this.walkIntrinsics(properties, `${path}.Properties`);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return;
    const spec = this.resourceSpec(type);
    if (!spec) {
      this.problem(`${path}.Type`, `${type} is not a CloudFormation resource type`);
      return;
    }
    if (!isObject(properties)) {
      this.problem(`${path}.Properties`, 'must be an object');
      return;
    }
    this.checkObject(properties, spec.properties, `${path}.Properties`);
  }

  /** An object against the properties of a resource or property type: unknown, missing and mistyped values. */
  private checkObject(
    value: Record<string, unknown>,
    properties: Record<string, Property>,
    path: string,
  ): void {
    for (const [key, property] of Object.entries(properties)) {
      if (property.required && value[key] === undefined)
        this.problem(`${path}.${key}`, 'required property missing');
    }
    for (const [key, child] of Object.entries(value)) {
      const property = properties[key];
      if (!property) {
        this.problem(
          `${path}.${key}`,
          `unknown property (known: ${Object.keys(properties).sort().join(', ')})`,
        );
        continue;
      }
      this.properties += 1;
      const types = [property.type, ...(property.previousTypes ?? [])];
      const attempts = types.map((type) => this.typeProblems(child, type, `${path}.${key}`));
      if (!attempts.some((problems) => problems.length === 0)) {
        for (const problem of attempts[0] ?? []) this.problems.push(problem);
      }
    }
  }

  /** The problems of a value against one property type (none when it fits). */
  private typeProblems(value: unknown, type: PropertyType, path: string): TemplateProblem[] {
    // An intrinsic's result is only known at deploy time; its references are checked by walkIntrinsics.
    if (intrinsicName(value) !== undefined) return [];
    const problem = (message: string): TemplateProblem[] => [{ template: this.name, path, message }];
    switch (type.type) {
      case 'string': {
        if (!['string', 'number', 'boolean'].includes(typeof value))
          return problem(`expected a string, got ${JSON.stringify(value)}`);
        const allowed = type.allowedValues;
        return allowed && allowed.length > 0 && !allowed.includes(String(value))
          ? problem(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`)
          : [];
      }
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || Number.isNaN(number))
          return problem(`expected a number, got ${JSON.stringify(value)}`);
        if (type.type === 'integer' && !Number.isInteger(number))
          return problem(`expected an integer, got ${value}`);
        return [];
      }
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false'
          ? []
          : problem(`expected a boolean, got ${JSON.stringify(value)}`);
      case 'json':
        return isObject(value) || Array.isArray(value) || typeof value === 'string'
          ? []
          : problem('expected JSON');
      case 'date-time':
        return typeof value === 'string' ? [] : problem('expected a date-time string');
      case 'null':
        return value === null ? [] : problem('expected null');
      case 'tag':
        return isObject(value) &&
          value.Key !== undefined &&
          value.Value !== undefined &&
          Object.keys(value).length === 2
          ? []
          : problem('expected a tag { Key, Value }');
      case 'array':
        if (!Array.isArray(value)) return problem(`expected a list, got ${JSON.stringify(value)}`);
        return value.flatMap((element, index) =>
          this.typeProblems(element, type.element, `${path}[${index}]`),
        );
      case 'map':
        if (!isObject(value)) return problem('expected a map');
        return Object.entries(value).flatMap(([key, element]) =>
          this.typeProblems(element, type.element, `${path}.${key}`),
        );
      case 'union': {
        const attempts = type.types.map((member) => this.typeProblems(value, member, path));
        return attempts.some((problems) => problems.length === 0) ? [] : (attempts[0] ?? []);
      }
      case 'ref': {
        if (!isObject(value)) return problem(`expected an object, got ${JSON.stringify(value)}`);
        const definition: TypeDefinition = this.db.get('typeDefinition', type.reference);
        const sub = new TemplateChecker(this.db, this.name, this.template, this.foreignExports);
        sub.checkObject(value, definition.properties, path);
        this.properties += sub.properties;
        return sub.problems;
      }
      default:
        return problem(`unknown spec type ${JSON.stringify(type)}`);
    }
  }

  /** A parameter: a CloudFormation type, and a default that its AllowedPattern and AllowedValues accept. */
  private checkParameter(name: string, parameter: unknown): void {
    const path = `Parameters.${name}`;
    if (!isObject(parameter)) {
      this.problem(path, 'must be an object');
      return;
    }
    const type = String(parameter.Type);
    if (!PARAMETER_TYPES.has(type) && !/^(List<)?AWS::/.test(type))
      this.problem(`${path}.Type`, `${parameter.Type} is not a parameter type`);
    if (parameter.Default === undefined) return;
    const value = String(parameter.Default);
    // CloudFormation matches the whole value (a Java regular expression; ours are JavaScript-compatible).
    if (
      typeof parameter.AllowedPattern === 'string' &&
      !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(value)
    )
      this.problem(
        `${path}.Default`,
        `${JSON.stringify(value)} does not match AllowedPattern ${parameter.AllowedPattern}`,
      );
    if (Array.isArray(parameter.AllowedValues) && !parameter.AllowedValues.map(String).includes(value))
      this.problem(`${path}.Default`, `${JSON.stringify(value)} is not one of AllowedValues`);
  }

  /** Inside a condition: condition functions, `Ref` to parameters and pseudo parameters, other conditions. */
  private walkCondition(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      for (const [index, element] of value.entries()) this.walkCondition(element, `${path}[${index}]`);
      return;
    }
    if (!isObject(value)) return;
    if (isConditionName(value)) {
      this.checkConditionName(value.Condition, `${path}.Condition`);
      return;
    }
    const fn = intrinsicName(value);
    if (fn === undefined) {
      this.problem(path, 'not a condition function');
      return;
    }
    const here = `${path}.${fn}`;
    if (!INSIDE_CONDITIONS.has(fn)) {
      this.problem(here, `${fn} cannot be used in a condition`);
      return;
    }
    if (fn === 'Ref') {
      this.references += 1;
      const name = value.Ref;
      if (typeof name !== 'string' || (!PSEUDO_PARAMETERS.has(name) && !(name in this.parameters)))
        this.problem(
          here,
          `${JSON.stringify(name)} is not a parameter or pseudo parameter (a condition cannot refer to a resource)`,
        );
      return;
    }
    this.walkCondition(value[fn], here);
  }

  private checkConditionName(name: unknown, path: string): void {
    this.references += 1;
    if (typeof name !== 'string' || !(name in this.conditions))
      this.problem(path, `${JSON.stringify(name)} is not a condition of the template`);
  }

  /** Every intrinsic function inside a value: its references must resolve. */
  private walkIntrinsics(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      for (const [index, element] of value.entries()) this.walkIntrinsics(element, `${path}[${index}]`);
      return;
    }
    if (!isObject(value)) return;
    const fn = intrinsicName(value);
    if (fn === undefined) {
      for (const [key, child] of Object.entries(value)) {
        if (key.startsWith('Fn::'))
          this.problem(`${path}.${key}`, 'an intrinsic function must be the only key of its object');
        this.walkIntrinsics(child, `${path}.${key}`);
      }
      return;
    }
    const arg = value[fn];
    const here = `${path}.${fn}`;
    if (!INTRINSICS.has(fn)) {
      this.problem(here, 'not an intrinsic function');
      return;
    }
    switch (fn) {
      case 'Ref':
        this.checkRef(arg, here);
        return;
      case 'Fn::GetAtt':
        this.checkGetAtt(arg, here);
        return;
      case 'Fn::Sub':
        this.checkSub(arg, here);
        return;
      case 'Fn::ImportValue':
        this.checkImportValue(arg, here);
        return;
      case 'Fn::If':
        if (!Array.isArray(arg) || arg.length !== 3) {
          this.problem(here, 'Fn::If takes [condition, value if true, value if false]');
          return;
        }
        this.checkConditionName(arg[0], `${here}[0]`);
        this.walkIntrinsics(arg[1], `${here}[1]`);
        this.walkIntrinsics(arg[2], `${here}[2]`);
        return;
      default:
        this.walkIntrinsics(arg, here);
    }
  }

  private checkRef(name: unknown, path: string): void {
    this.references += 1;
    if (typeof name !== 'string') this.problem(path, 'Ref takes a name');
    else if (!PSEUDO_PARAMETERS.has(name) && !(name in this.resources) && !(name in this.parameters)) {
      this.problem(path, `${name} is not a resource, parameter or pseudo parameter`);
    }
  }

  private checkGetAtt(arg: unknown, path: string): void {
    this.references += 1;
    const [id, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split(/\.(.*)/s) : [];
    if (typeof id !== 'string' || typeof attribute !== 'string') {
      this.problem(path, `Fn::GetAtt takes [resource, attribute], got ${JSON.stringify(arg)}`);
      return;
    }
    const resource = this.resources[id];
    if (!resource) {
      this.problem(path, `${id} is not a resource of the template`);
      return;
    }
    const type = String(resource.Type);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return;
    const spec = this.resourceSpec(type);
    if (spec && !(attribute in spec.attributes)) {
      this.problem(
        path,
        `${type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ') || 'none'})`,
      );
    }
  }

  private checkSub(arg: unknown, path: string): void {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof text !== 'string' || !isObject(variables)) {
      this.problem(path, 'Fn::Sub takes a string or [string, variables]');
      return;
    }
    this.walkIntrinsics(variables, `${path}[1]`);
    for (const [, name] of text.matchAll(/\$\{([^}]*)\}/g)) {
      if (name === undefined || name.startsWith('!') || name in variables) continue;
      if (name.includes('.')) this.checkGetAtt(name, `${path}\${${name}}`);
      else this.checkRef(name, `${path}\${${name}}`);
    }
  }

  private checkImportValue(arg: unknown, path: string): void {
    this.references += 1;
    this.walkIntrinsics(arg, path);
    let name: string;
    try {
      name = resolveValue(arg, this.template, DEPLOY_PARAMETERS);
    } catch (error) {
      this.problem(path, `the export name does not resolve offline: ${(error as Error).message}`);
      return;
    }
    const exporter = this.foreignExports.get(name);
    if (!exporter) this.problem(path, `no other template exports ${name}`);
    else if (exporter === this.name) this.problem(path, `${name} is exported by this same template`);
  }
}

/** Checks every template, and the export names across them. */
export function checkTemplates(templates: NamedTemplate[], db: SpecDatabase = awsServiceSpec()): SpecReport {
  const exporters = new Map<string, string>();
  const problems: TemplateProblem[] = [];
  for (const { name, template } of templates) {
    try {
      for (const exported of exportNames(template)) {
        const previous = exporters.get(exported);
        if (previous)
          problems.push({
            template: name,
            path: 'Outputs',
            message: `export ${exported} is also exported by ${previous}`,
          });
        exporters.set(exported, name);
      }
    } catch (error) {
      problems.push({
        template: name,
        path: 'Outputs',
        message: `an export name does not resolve: ${(error as Error).message}`,
      });
    }
  }
  let resources = 0;
  let properties = 0;
  let references = 0;
  for (const { name, template } of templates) {
    const checker = new TemplateChecker(
      db,
      name,
      template as CfnTemplate & Record<string, unknown>,
      exporters,
    );
    checker.check();
    problems.push(...checker.problems);
    resources += Object.keys(template.Resources ?? {}).length;
    properties += checker.properties;
    references += checker.references;
  }
  return { templates: templates.length, resources, properties, references, problems };
}
