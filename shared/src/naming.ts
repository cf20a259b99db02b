/**
 * Deterministic SageMaker resource names. A name is `<pipeline>-<kind>-<hash>`: readable prefixes (the
 * EventBridge rules match on them) and a hash of the whole (pipeline, kind, key) triple, so the same key
 * always gives the same name, different keys give different names, and truncation of a long pipeline name
 * never makes two names collide.
 */
import { createHash } from 'node:crypto';

/** Jobs, endpoints, endpoint configs, model package groups (SageMaker API reference). */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_MAX = 63;
const HASH_LENGTH = 12;

/** Keeps letters and digits, turns every other run of characters into one hyphen, trims the ends. */
export function sanitize(part: string): string {
  return part
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Short hex digest of the parts; collision-resistant enough to be the uniqueness of a name. */
export function shortHash(parts: readonly string[], length = HASH_LENGTH): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, length);
}

/**
 * A name for the `kind` resource of `pipeline` that stands for `key` (an event id, a digest, a batch id,
 * a parent job name). At most `maxLength` characters and matching SAGEMAKER_NAME.
 */
export function resourceName(
  pipeline: string,
  kind: string,
  key: string,
  maxLength = SAGEMAKER_NAME_MAX,
): string {
  const hash = shortHash([pipeline, kind, key]);
  const room = maxLength - hash.length - 1;
  const prefix = [sanitize(pipeline), sanitize(kind)].filter(Boolean).join('-');
  const readable = prefix.slice(0, Math.max(0, room)).replace(/-+$/, '');
  return readable ? `${readable}-${hash}` : hash;
}

/** The prefix every name of `kind` starts with for this pipeline (what an EventBridge rule matches on). */
export function namePrefix(pipeline: string, kind?: string): string {
  return `${[sanitize(pipeline), kind ? sanitize(kind) : ''].filter(Boolean).join('-')}-`;
}
