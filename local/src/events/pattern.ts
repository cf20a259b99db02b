// EventBridge event patterns with AWS's documented semantics: exact values (numbers compare numerically),
// arrays in the event match if any element matches, nested objects, prefix, suffix, equals-ignore-case,
// wildcard, anything-but, numeric ranges, exists, cidr and $or. A field missing from the event matches only
// `exists: false`; fields the pattern does not name are ignored.

export type EventPattern = Record<string, unknown>;

export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);
const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function validateCondition(condition: unknown, where: string): void {
  if (condition === null || ['string', 'number', 'boolean'].includes(typeof condition)) return;
  if (!isPlainObject(condition))
    throw new InvalidEventPatternError(
      `Match value must be String, number, true, false, or null at ${where}`,
    );
  const keys = Object.keys(condition);
  const operator = keys[0];
  if (keys.length !== 1 || operator === undefined || !OPERATORS.has(operator)) {
    throw new InvalidEventPatternError(`Unrecognized match type ${keys.join(',')} at ${where}`);
  }
  const operand = condition[operator];
  switch (operator) {
    case 'numeric': {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
        throw new InvalidEventPatternError(
          `Value of numeric must be an array of operator/number pairs at ${where}`,
        );
      }
      for (let i = 0; i < operand.length; i += 2) {
        if (!NUMERIC_OPERATORS.has(String(operand[i])) || typeof operand[i + 1] !== 'number') {
          throw new InvalidEventPatternError(`Unrecognized numeric range operator or value at ${where}`);
        }
      }
      return;
    }
    case 'exists':
      if (typeof operand !== 'boolean')
        throw new InvalidEventPatternError(`exists match pattern must be either true or false at ${where}`);
      return;
    case 'anything-but':
      if (isPlainObject(operand)) {
        const inner = Object.keys(operand);
        if (
          inner.length !== 1 ||
          !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner[0] ?? '')
        ) {
          throw new InvalidEventPatternError(`Unsupported anything-but pattern at ${where}`);
        }
        return;
      }
      if (Array.isArray(operand)) {
        if (operand.some((value) => !['string', 'number'].includes(typeof value))) {
          throw new InvalidEventPatternError(
            `Inside anything-but list, only strings and numbers are allowed at ${where}`,
          );
        }
        return;
      }
      if (!['string', 'number'].includes(typeof operand)) {
        throw new InvalidEventPatternError(
          `Inside anything-but, only strings and numbers are allowed at ${where}`,
        );
      }
      return;
    case 'prefix':
    case 'suffix':
      if (typeof operand === 'string') return;
      if (isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string') return;
      throw new InvalidEventPatternError(`${operator} match pattern must be a string at ${where}`);
    default:
      if (typeof operand !== 'string')
        throw new InvalidEventPatternError(`${operator} match pattern must be a string at ${where}`);
  }
}

export function validatePattern(pattern: unknown, where = ''): asserts pattern is EventPattern {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('Filter is not an object');
  for (const [key, value] of Object.entries(pattern)) {
    const path = where ? `${where}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2)
        throw new InvalidEventPatternError('$or must be an array of at least 2 patterns');
      for (const alternative of value) validatePattern(alternative, where);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError(`Empty arrays are not allowed at ${path}`);
      for (const condition of value) validateCondition(condition, path);
    } else if (isPlainObject(value)) {
      validatePattern(value, path);
    } else {
      throw new InvalidEventPatternError(`Match value must be an array at ${path}`);
    }
  }
}

const lower = (value: string): string => value.toLowerCase();

function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function stringOperator(operator: string, operand: unknown, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const ignoreCase = isPlainObject(operand);
      const expected = String(ignoreCase ? operand['equals-ignore-case'] : operand);
      const actual = ignoreCase ? lower(value) : value;
      const wanted = ignoreCase ? lower(expected) : expected;
      return operator === 'prefix' ? actual.startsWith(wanted) : actual.endsWith(wanted);
    }
    case 'equals-ignore-case':
      return lower(value) === lower(String(operand));
    case 'wildcard':
      return wildcardRegExp(String(operand)).test(value);
    default:
      return false;
  }
}

function equalsValue(expected: unknown, value: unknown): boolean {
  if (typeof expected === 'number') return typeof value === 'number' && expected === value;
  return expected === value;
}

function numericMatches(ranges: unknown[], value: unknown): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < ranges.length; i += 2) {
    const bound = ranges[i + 1] as number;
    switch (ranges[i]) {
      case '=':
        if (!(value === bound)) return false;
        break;
      case '<':
        if (!(value < bound)) return false;
        break;
      case '<=':
        if (!(value <= bound)) return false;
        break;
      case '>':
        if (!(value > bound)) return false;
        break;
      case '>=':
        if (!(value >= bound)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let result = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!/^\d{1,3}$/.test(part) || octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return result;
}

function cidrMatches(cidr: string, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [network = '', bitsText = '32'] = cidr.split('/');
  const base = ipv4ToNumber(network);
  const ip = ipv4ToNumber(value);
  const bits = Number(bitsText);
  if (base === undefined || ip === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(base / size);
}

function conditionMatches(condition: unknown, values: unknown[], present: boolean): boolean {
  if (!isPlainObject(condition)) return values.some((value) => equalsValue(condition, value));
  const [operator = '', operand] = Object.entries(condition)[0] ?? [];
  switch (operator) {
    case 'exists':
      return operand === true ? present && values.some((value) => !isPlainObject(value)) : !present;
    case 'numeric':
      return values.some((value) => numericMatches(operand as unknown[], value));
    case 'cidr':
      return values.some((value) => cidrMatches(String(operand), value));
    case 'anything-but': {
      if (isPlainObject(operand)) {
        const [inner = '', innerOperand] = Object.entries(operand)[0] ?? [];
        return values.some(
          (value) => typeof value === 'string' && !stringOperator(inner, innerOperand, value),
        );
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return values.some((value) => !excluded.some((item) => equalsValue(item, value)));
    }
    default:
      return values.some((value) => stringOperator(operator, operand, value));
  }
}

function matchObject(pattern: EventPattern, target: unknown): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(expected as EventPattern[]).some((alternative) => matchObject(alternative, target))) return false;
      continue;
    }
    const present = isPlainObject(target) && Object.hasOwn(target, key);
    const field = present ? target[key] : undefined;
    if (Array.isArray(expected)) {
      const values = !present ? [] : Array.isArray(field) ? field : [field];
      if (!expected.some((condition) => conditionMatches(condition, values, present && values.length > 0)))
        return false;
    } else if (isPlainObject(expected)) {
      const nested = Array.isArray(field) ? field.filter(isPlainObject) : [field];
      if (
        !nested.some((item) => matchObject(expected, item)) &&
        !(nested.length === 0 && matchObject(expected, undefined))
      ) {
        return false;
      }
    }
  }
  return true;
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}
