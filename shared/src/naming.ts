/**
 * Deterministic SageMaker resource names. A name is `<pipeline>-<kind>-<hash>`: readable prefixes (the
 * EventBridge rules match on them) and a hash of the whole (pipeline, kind, key) triple, so the same key
 * always gives the same name, different keys give different names, and truncation of a long pipeline name
 * never makes two names collide.
 *
 * Pipelines are told apart by these names alone: a stage acts on a name only when it is exactly one of its own
 * pipeline's (`isPipelineResource`), and a pipeline name may not contain a kind word, so that no pipeline's
 * `<pipeline>-<kind>-` prefix (its rules and IAM scopes) is also the start of another pipeline's names.
 */
import { createHash } from 'node:crypto';

/** Jobs, endpoints, endpoint configs, model package groups (SageMaker API reference). */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_MAX = 63;
const HASH_LENGTH = 12;

/** The kinds of resource the stages name with `resourceName`. */
export const NAME_KINDS = ['train', 'retrain', 'eval', 'model', 'endpoint-config'] as const;
export type NameKind = (typeof NAME_KINDS)[number];
/** A pipeline's training jobs: trigger-training's (`train`) and retrain-model's (`retrain`). */
export const TRAINING_JOB_KINDS: readonly NameKind[] = ['train', 'retrain'];

/**
 * Words a pipeline name may not have as one of its hyphen-separated words: the first word of each kind. Another
 * pipeline's names can only start with `<pipeline>-<kind>-` if that pipeline's name is `<pipeline>-<kind>...`
 * (or the other way round), so without these words every `<pipeline>-<kind>-` prefix is exact.
 * tools/serverless/check-pipeline-name keeps a copy for packaging; a test compares the two.
 */
export const RESERVED_PIPELINE_WORDS: readonly string[] = [
  ...new Set(NAME_KINDS.map((kind) => kind.split('-')[0] ?? kind)),
];

/** The first reserved word among the hyphen-separated words of `pipeline`, if any. */
export function reservedWordIn(pipeline: string): string | undefined {
  const words = pipeline.toLowerCase().split(/-+/);
  return RESERVED_PIPELINE_WORDS.find((word) => words.includes(word));
}

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

const HASH = new RegExp(`^[0-9a-f]{${HASH_LENGTH}}$`);
const kindList = (kinds: NameKind | readonly NameKind[]): readonly NameKind[] =>
  typeof kinds === 'string' ? [kinds] : kinds;

/**
 * Whether `name` is exactly a name `resourceName` gives `pipeline` for one of `kinds`: `<pipeline>-<kind>-`
 * and the 12 hex digits of the hash. A valid pipeline name (at most 32 characters) is never truncated, so
 * this holds for every name the pipeline derives; `mlpipe-dev` never claims `mlpipe-dev-2-train-...`.
 */
export function isPipelineResource(
  name: string,
  pipeline: string,
  kinds: NameKind | readonly NameKind[],
): boolean {
  return kindList(kinds).some((kind) => {
    const prefix = namePrefix(pipeline, kind);
    return name.startsWith(prefix) && HASH.test(name.slice(prefix.length));
  });
}

/** The form `isPipelineResource` accepts, for skip reasons: `mlpipe-dev-train-<12 hex digits>`. */
export function pipelineResourceForm(pipeline: string, kinds: NameKind | readonly NameKind[]): string {
  return kindList(kinds)
    .map((kind) => `${namePrefix(pipeline, kind)}<${HASH_LENGTH} hex digits>`)
    .join(' or ');
}
