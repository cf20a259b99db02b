// Request validation with SageMaker's messages: "1 validation error detected: Value 'x' at 'trainingJobName'
// failed to satisfy constraint: ...". Names follow the published patterns of the API reference.
import { AwsError } from '../aws/errors.js';

/** Jobs, endpoints, endpoint configs, model package groups. */
export const ENTITY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Models. */
export const MODEL_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

const memberName = (field: string): string => field.charAt(0).toLowerCase() + field.slice(1);

const violation = (value: unknown, field: string, constraint: string): AwsError =>
  new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${value === undefined || value === null ? 'null' : `'${String(value)}'`} at '${memberName(
      field,
    )}' failed to satisfy constraint: ${constraint}`,
  );

export function requireField<T>(input: Record<string, unknown>, field: string): T {
  const value = input[field];
  if (value === undefined || value === null) throw violation(value, field, 'Member must not be null');
  return value as T;
}

export function validateName(
  input: Record<string, unknown>,
  field: string,
  pattern = ENTITY_NAME,
  maxLength = 63,
): string {
  const value = requireField<unknown>(input, field);
  if (typeof value !== 'string') throw violation(value, field, 'Member must be a string');
  if (value.length > maxLength)
    throw violation(value, field, `Member must have length less than or equal to ${maxLength}`);
  if (!pattern.test(value)) {
    throw violation(value, field, `Member must satisfy regular expression pattern: ${pattern.source}`);
  }
  return value;
}

export function validateEnum(
  input: Record<string, unknown>,
  field: string,
  allowed: readonly string[],
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw violation(value, field, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value;
}

export function validateRange(
  input: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || value < min)
    throw violation(value, field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw violation(value, field, `Member must have value less than or equal to ${max}`);
  return value;
}
