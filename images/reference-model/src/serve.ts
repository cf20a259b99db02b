// `serve`: the model behind SageMaker's inference contract. GET /ping answers 200 once the model is loaded;
// POST /invocations takes
//   text/csv          one row of feature values per line, in the model's feature order, no header; or a first
//                     row without any number is a header: the model's features in any order, other columns
//                     (the label, an id) ignored
//   application/json  {"instances": [...]} or a bare array; an instance is an array of the feature values in
//                     order, an object keyed by feature name, or {"features": [...]}
// and answers application/json {"predictions": [{"label", "probabilities"}]} in the order of the input.
// Bad input is a 4xx with {"error": "..."}; nothing the client sends is a 5xx.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { isMissing, parseCsv, parseNumber } from './csv.js';
import { InputError } from './errors.js';
import { MODEL_FILE, type Prediction, Predictor } from './model.js';
import { type Env, modelDir } from './paths.js';
import type { Log } from './train.js';

/** SageMaker's real-time payload limit. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface InvocationResponse {
  predictions: Prediction[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string): HttpError => new HttpError(400, message);

export function rowsFromCsv(body: string, featureNames: readonly string[]): number[][] {
  const rows = parseCsv(body, 'the CSV payload');
  const first = rows[0];
  if (!first) throw badRequest('the CSV payload has no row');
  const hasHeader = first.every((cell) => parseNumber(cell) === undefined && !isMissing(cell));
  let columns = featureNames.map((_, i) => i);
  if (hasHeader) {
    const header = first.map((cell) => cell.trim());
    const absent = featureNames.filter((name) => !header.includes(name));
    if (absent.length) {
      throw badRequest(
        `the first CSV row is neither numbers nor a header naming the features (${featureNames.join(', ')}): no ${absent.join(', ')}`,
      );
    }
    columns = featureNames.map((name) => header.indexOf(name));
    if (rows.length === 1) throw badRequest('the CSV payload has a header but no row');
  }
  const width = hasHeader ? first.length : featureNames.length;
  const offset = hasHeader ? 1 : 0;
  return rows.slice(offset).map((row, r) => {
    const line = r + 1 + offset;
    if (row.length !== width) {
      throw badRequest(
        `CSV row ${line} has ${row.length} values; expected ${width}` +
          (hasHeader ? ' (as many as the header)' : ` (${featureNames.join(', ')})`),
      );
    }
    return columns.map((column, i) => {
      const cell = row[column] ?? '';
      const value = parseNumber(cell);
      if (value === undefined) {
        throw badRequest(`CSV row ${line}: "${cell}" for ${featureNames[i]} is not a number`);
      }
      return value;
    });
  });
}

const numberOf = (value: unknown, where: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badRequest(`${where} must be a number, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
};

export function rowsFromJson(body: string, featureNames: readonly string[]): number[][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badRequest(`the JSON payload does not parse: ${(error as Error).message}`);
  }
  const instances = Array.isArray(parsed) ? parsed : (parsed as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(instances)) {
    throw badRequest('the JSON payload must be {"instances": [...]} or an array of instances');
  }
  if (!instances.length) throw badRequest('no instance to predict');
  return instances.map((instance: unknown, i) => {
    const where = `instance ${i}`;
    const values =
      instance && typeof instance === 'object' && !Array.isArray(instance) && 'features' in instance
        ? (instance as { features: unknown }).features
        : instance;
    if (Array.isArray(values)) {
      if (values.length !== featureNames.length) {
        throw badRequest(
          `${where} has ${values.length} values; expected ${featureNames.length} (${featureNames.join(', ')})`,
        );
      }
      return values.map((value, f) => numberOf(value, `${where}: ${featureNames[f]}`));
    }
    if (values && typeof values === 'object') {
      const record = values as Record<string, unknown>;
      return featureNames.map((name) => numberOf(record[name], `${where}: ${name}`));
    }
    throw badRequest(
      `${where} must be an array of ${featureNames.length} numbers or an object keyed by feature`,
    );
  });
}

const mediaType = (header: string | undefined): string =>
  (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const acceptsJson = (accept: string | undefined): boolean =>
  !accept ||
  accept
    .split(',')
    .map(mediaType)
    .some((type) => type === 'application/json' || type === '*/*' || type === 'application/*');

async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = new HttpError(413, `the payload is over ${MAX_PAYLOAD_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large (discarding), so that the client gets the 413 and not a reset.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_PAYLOAD_BYTES) throw tooLarge;
  return Buffer.concat(chunks).toString('utf8');
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export function createModelServer(predictor: Predictor, log: Log = console.log): http.Server {
  const featureNames = predictor.featureNames;
  return http.createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0];
    void (async () => {
      try {
        if (route === '/ping') {
          if (req.method !== 'GET') throw new HttpError(405, 'use GET /ping');
          res.writeHead(200, { 'content-type': 'text/plain' }).end('');
          return;
        }
        if (route !== '/invocations') throw new HttpError(404, `no route ${req.method} ${route}`);
        if (req.method !== 'POST') throw new HttpError(405, 'use POST /invocations');
        if (!acceptsJson(req.headers.accept)) {
          throw new HttpError(406, `this model answers application/json, not ${req.headers.accept}`);
        }
        const type = mediaType(req.headers['content-type']);
        if (type !== 'text/csv' && type !== 'application/json') {
          throw new HttpError(
            415,
            `content type "${type}" is not supported: use text/csv or application/json`,
          );
        }
        const body = await readBody(req);
        if (!body.trim()) throw badRequest('the payload is empty');
        const rows = type === 'text/csv' ? rowsFromCsv(body, featureNames) : rowsFromJson(body, featureNames);
        const response: InvocationResponse = { predictions: predictor.predict(rows) };
        send(res, 200, response);
      } catch (error) {
        const status = error instanceof HttpError ? error.status : error instanceof InputError ? 400 : 500;
        if (status === 500) log(`invocation failed: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) send(res, status, { error: (error as Error).message });
      }
    })();
  });
}

export function loadServingModel(env: Env): Predictor {
  const file = path.join(modelDir(env), MODEL_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(
      `no model at ${file}: was the endpoint's ModelDataUrl a model.tar.gz from this image?`,
    );
  }
  return Predictor.fromArtifact(JSON.parse(text));
}

/** Starts serving; resolves once listening. */
export async function runServe(env: Env, log: Log = console.log): Promise<http.Server> {
  const predictor = loadServingModel(env);
  const port = Number(env.SAGEMAKER_BIND_TO_PORT ?? 8080);
  // In a container SageMaker reaches the model from outside; the offline stack only from loopback.
  const host = env.SM_LOCAL_ROOT ? '127.0.0.1' : '0.0.0.0';
  const server = createModelServer(predictor, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log(
    `serving ${predictor.artifact.classLabels.length} classes on ${host}:${port}` +
      ` (features ${predictor.featureNames.join(', ')})`,
  );
  return server;
}
