/**
 * An IAM identity-policy evaluator covering exactly what this repository's roles use, after AWS's documented
 * evaluation logic (IAM User Guide, "Policy evaluation logic", "Condition operators", "Resource"):
 *
 * - default deny; an applicable Allow allows; an applicable Deny wins over any Allow;
 * - Action / NotAction with `*` and `?`, case-insensitive; Resource / NotResource with `*` and `?`,
 *   case-sensitive, `*` spanning colons (AWS lets a trailing `*` of a segment expand beyond it);
 * - Condition: operators AND, keys of an operator AND, values of a key OR; negated operators (`...Not...`)
 *   match when no value matches, and when the key is absent; `...IfExists` matches an absent key; condition key
 *   names are case-insensitive. Operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
 *   StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (each of
 *   the six ARN parts matched on its own), Bool, Null.
 *
 * Anything else (set operators, numeric/date/IP operators, policy variables, Principal) throws instead of being
 * guessed, so a policy that grows beyond this subset fails its test loudly. Why not a library: the maintained
 * simulator (@cloud-copilot/iam-simulate) is AGPL-3.0, and `pbac` matches actions case-sensitively, reads only
 * the first key of each condition operator and compares a missing context key as its own name.
 */

export type ConditionValue = string | boolean | number;

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, ConditionValue | ConditionValue[]>>;
  Principal?: unknown;
  NotPrincipal?: unknown;
}

export interface IamRequest {
  /** `service:Action`. */
  action: string;
  /**
   * The ARN the action is authorised against, `*` for an action without a resource type, or several ARNs when
   * the action is authorised against each (CreateEndpoint: the endpoint and its endpoint config).
   */
  resource: string | string[];
  /** Request context keys, e.g. `iam:PassedToService`, `s3:prefix`, `aws:SecureTransport`. */
  context?: Record<string, string | boolean>;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const escapeRegExp = (text: string): string => text.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');

/** `*` any sequence (colons and slashes included), `?` exactly one character. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char)))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** The six colon-separated parts of an ARN (the last keeps its colons), or undefined for a non-ARN. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnLike / ArnEquals: each of the six parts matched on its own, with `*` and `?`. */
export function arnMatches(pattern: string, value: string): boolean {
  const expected = arnParts(pattern);
  const actual = arnParts(value);
  if (!expected || !actual) return false;
  return expected.every((part, index) => globMatches(part, actual[index] as string));
}

function rejectVariables(text: string, where: string): void {
  if (text.includes('${')) throw new Error(`Policy variables are not supported (${where}: ${text})`);
}

type Matcher = (policyValue: string, requestValue: string) => boolean;

const MATCHERS: Record<string, Matcher> = {
  StringEquals: (p, r) => p === r,
  StringEqualsIgnoreCase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  StringLike: (p, r) => globMatches(p, r),
  ArnEquals: arnMatches,
  ArnLike: arnMatches,
  Bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
};

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

function contextValue(context: Record<string, string | boolean>, key: string): string | undefined {
  const wanted = key.toLowerCase();
  const found = Object.entries(context).find(([name]) => name.toLowerCase() === wanted);
  return found === undefined ? undefined : String(found[1]);
}

/** One `"Operator": { "key": values }` entry of a Condition block, for one key. */
function conditionMatches(
  operator: string,
  key: string,
  policyValues: string[],
  context: Record<string, string | boolean>,
): boolean {
  if (operator.includes(':')) throw new Error(`Set operators are not supported: ${operator}`);
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const value = contextValue(context, key);
  for (const policyValue of policyValues) rejectVariables(policyValue, `${operator} ${key}`);
  if (base === 'Null') {
    if (ifExists) throw new Error('NullIfExists is not an operator');
    return policyValues.some((expected) => (expected.toLowerCase() === 'true') === (value === undefined));
  }
  const positive = NEGATED[base] ?? base;
  const matcher = MATCHERS[positive];
  if (!matcher) throw new Error(`Condition operator not supported: ${operator}`);
  if (value === undefined) return ifExists || positive !== base;
  const anyMatches = policyValues.some((expected) => matcher(expected, value));
  return positive === base ? anyMatches : !anyMatches;
}

function statementApplies(
  statement: IamStatement,
  action: string,
  resource: string,
  request: IamRequest,
): boolean {
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
    throw new Error('Principal is not supported: this evaluates identity policies');
  }
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new Error(`A statement needs exactly one of Action and NotAction: ${JSON.stringify(statement)}`);
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new Error(
      `A statement needs exactly one of Resource and NotResource: ${JSON.stringify(statement)}`,
    );
  }
  const actionListed = (patterns: string[]) => patterns.some((pattern) => globMatches(pattern, action, true));
  const resourceListed = (patterns: string[]) =>
    patterns.some((pattern) => {
      rejectVariables(pattern, 'Resource');
      return globMatches(pattern, resource);
    });
  const actionMatches =
    statement.Action !== undefined
      ? actionListed(asArray(statement.Action))
      : !actionListed(asArray(statement.NotAction));
  if (!actionMatches) return false;
  const resourceMatches =
    statement.Resource !== undefined
      ? resourceListed(asArray(statement.Resource))
      : !resourceListed(asArray(statement.NotResource));
  if (!resourceMatches) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) =>
      conditionMatches(operator, key, asArray(values).map(String), request.context ?? {}),
    ),
  );
}

function decideOne(statements: IamStatement[], request: IamRequest, resource: string): Decision {
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new Error(`Effect must be Allow or Deny: ${JSON.stringify(statement)}`);
    }
  }
  const applicable = statements.filter((statement) =>
    statementApplies(statement, request.action, resource, request),
  );
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'ExplicitlyDenied';
  return applicable.some((statement) => statement.Effect === 'Allow') ? 'Allowed' : 'ImplicitlyDenied';
}

/**
 * The decision of the identity policies (their statements, together) on a request. With several resources,
 * the request is allowed only when each is, and explicitly denied when any is.
 */
export function evaluate(statements: IamStatement[], request: IamRequest): Decision {
  const decisions = asArray(request.resource).map((resource) => decideOne(statements, request, resource));
  if (decisions.length === 0) throw new Error(`A request needs a resource: ${JSON.stringify(request)}`);
  if (decisions.includes('ExplicitlyDenied')) return 'ExplicitlyDenied';
  return decisions.every((decision) => decision === 'Allowed') ? 'Allowed' : 'ImplicitlyDenied';
}
