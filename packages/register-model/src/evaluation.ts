/**
 * Reading an evaluation: `evaluation.json` in SageMaker's model-quality shape, e.g.
 * `{"multiclass_classification_metrics": {"accuracy": {"value": 0.94}}}`, and the metric at a dotted path.
 * A missing or malformed file, or a missing or non-finite metric, is a TerminalError naming the job and the
 * problem; S3 throttling and server faults are let through so Lambda retries.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '@sagemaker-pipeline/shared/contracts';
import { awsErrorName, TerminalError } from '@sagemaker-pipeline/shared/errors';

export { DECISION_FILE, EVALUATION_FILE, parseS3Uri } from '@sagemaker-pipeline/shared/contracts';

/** True when `uri` is `base` itself or below it (`base` without a trailing slash). */
export function isWithin(uri: string, base: string): boolean {
  const root = base.replace(/\/+$/, '');
  return uri === root || uri.startsWith(`${root}/`);
}

/** `<folder>/<file>`, whatever the folder's trailing slashes. */
export function besides(folderUri: string, file: string): string {
  return `${folderUri.replace(/\/+$/, '')}/${file}`;
}

const MISSING_OBJECT = new Set(['NoSuchKey', 'NotFound', 'AccessDenied']);

/**
 * Python's json module writes NaN and Infinity as bare tokens, which are not JSON. They are turned into strings
 * so that the file still parses and the metric is refused as "not a finite number" rather than the whole file as
 * malformed.
 */
function parseJsonAllowingNaN(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const quoted = text.replace(/([:[,]\s*)(-?(?:NaN|Infinity))(?=\s*[,}\]])/g, '$1"$2"');
    if (quoted === text) throw error;
    return JSON.parse(quoted);
  }
}

/**
 * The text of the object at `uri`, or the name of S3's answer when it is missing (NoSuchKey, or AccessDenied,
 * which S3 answers for a missing key to a reader without s3:ListBucket). Other faults propagate.
 */
async function readText(s3: S3Client, uri: string): Promise<{ text: string } | { missing: string }> {
  const { bucket, key } = parseS3Uri(uri);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { text: (await object.Body?.transformToString('utf-8')) ?? '' };
  } catch (error) {
    const name = awsErrorName(error);
    if (name && MISSING_OBJECT.has(name)) return { missing: name };
    throw error;
  }
}

/** Reads and parses a JSON evaluation from S3; `context` names the job in error messages. */
export async function readEvaluation(s3: S3Client, uri: string, context: string): Promise<unknown> {
  const read = await readText(s3, uri);
  if ('missing' in read) {
    const name = read.missing;
    throw new TerminalError(
      `${context}: ${uri} is missing (${name}${name === 'AccessDenied' ? ': S3 answers AccessDenied for a missing key without s3:ListBucket' : ''}); nothing registered`,
    );
  }
  const { text } = read;
  try {
    return parseJsonAllowingNaN(text);
  } catch (error) {
    throw new TerminalError(
      `${context}: ${uri} is not valid JSON (${(error as Error).message}); nothing registered`,
    );
  }
}

/** A decision this stage recorded earlier for the same evaluation (decision.json), if any. */
export interface RecordedDecision {
  status: 'registered' | 'rejected';
  reasons?: string[];
  modelPackageArn?: string;
}

/**
 * Reads decision.json beside an evaluation. Missing (NoSuchKey, or AccessDenied, which S3 answers for a
 * missing key to a reader without s3:ListBucket) or not a decision of ours: undefined. Other faults propagate.
 */
export async function readDecision(s3: S3Client, uri: string): Promise<RecordedDecision | undefined> {
  const read = await readText(s3, uri);
  if ('missing' in read) return undefined;
  const { text } = read;
  try {
    const document = JSON.parse(text) as Partial<RecordedDecision> | null;
    return document?.status === 'registered' || document?.status === 'rejected'
      ? (document as RecordedDecision)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The value at a dotted path (`a.b.0.c`) of parsed JSON, or undefined. */
export function valueAt(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The metric at `path` as a finite number, or a TerminalError that says what is wrong with it. */
export function requireMetric(document: unknown, path: string, uri: string, context: string): number {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new TerminalError(
      `${context}: ${uri} is not a JSON object in SageMaker's model-quality shape; nothing registered`,
    );
  }
  const value = valueAt(document, path);
  if (value === undefined || value === null) {
    throw new TerminalError(`${context}: ${uri} has no metric ${path}; nothing registered`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TerminalError(
      `${context}: metric ${path} in ${uri} is ${JSON.stringify(value)}, not a finite number; nothing registered`,
    );
  }
  return value;
}

/** Writes a JSON document to S3 (decision.json). */
export async function writeJson(s3: S3Client, uri: string, document: unknown): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(document, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
}
