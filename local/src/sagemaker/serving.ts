// Serving: a deployment of an endpoint config extracts each variant's model, starts the image's `serve` on a
// free port (SAGEMAKER_BIND_TO_PORT) and waits for GET /ping to answer 200. InvokeEndpoint is proxied to the
// live process with SageMaker Runtime's response and error shapes.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { AwsError, sendRestJsonError } from '../aws/errors.js';
import { requestS3Location } from '../s3/s3-service.js';
import { type ContainerRun, ProcessTracker, startContainer } from './containers.js';
import { extractArchive } from './model-archive.js';
import type { Input, ServiceContext } from './resources.js';
import {
  createInvokeClient,
  type InvokeClient,
  type InvokeClientKind,
  type InvokeHeaders,
  type UpstreamResponse,
} from './upstream.js';

export interface ServingVariant {
  variantName: string;
  weight: number;
  port: number;
  run: ContainerRun;
  /** Kept-alive sockets to the container's `serve`, closed with the deployment. */
  /** The clients to its container, by kind, each made on first use (`context.invokeClient` picks one). */
  clients: Partial<Record<InvokeClientKind, InvokeClient>>;
  specifiedImage: string;
  resolvedImage: string;
  resolutionTime: Date;
}

export interface Deployment {
  id: string;
  configName: string;
  variants: ServingVariant[];
  logFile: string;
  root: string;
}

export class DeploymentError extends Error {}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const logTail = async (file: string): Promise<string> => {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join('\n');
};

export interface DeployOptions {
  /** Injected fault: the new containers start but are taken as failing their /ping health check. */
  failPing?: boolean;
}

export async function deploy(
  context: ServiceContext,
  endpointName: string,
  config: Input,
  models: Map<string, Input>,
  options: DeployOptions = {},
): Promise<Deployment> {
  const id = randomUUID().slice(0, 8);
  const configName = String(config.EndpointConfigName);
  const root = path.join(context.dir, 'endpoints', endpointName, `${configName}-${id}`);
  const logFile = path.join(context.dir, 'logs', 'endpoints', `${endpointName}.log`);
  const deployment: Deployment = { id, configName, variants: [], logFile, root };
  try {
    for (const variant of (config.ProductionVariants as Input[] | undefined) ?? []) {
      const variantName = String(variant.VariantName);
      const model = models.get(String(variant.ModelName));
      if (!model) throw new DeploymentError(`Could not find model "${String(variant.ModelName)}".`);
      const container = (model.PrimaryContainer ??
        (model.Containers as Input[] | undefined)?.[0] ??
        {}) as Input;
      const specifiedImage = String(container.Image ?? '');
      const { image, manifest } = await context.images.resolve(specifiedImage).catch((error: Error) => {
        throw new DeploymentError(error.message);
      });
      const variantRoot = path.join(root, variantName);
      const modelDir = path.join(variantRoot, 'opt', 'ml', 'model');
      if (container.ModelDataUrl) {
        const { bucket, key } = requestS3Location(String(container.ModelDataUrl));
        const archive = path.join(variantRoot, 'model.tar.gz');
        await context.s3.download(bucket, key, archive).catch(() => {
          throw new DeploymentError(`Could not download model data from ${String(container.ModelDataUrl)}.`);
        });
        await extractArchive(archive, modelDir).catch((error: Error) => {
          throw new DeploymentError(
            `Could not extract model data from ${String(container.ModelDataUrl)}: ${error.message}`,
          );
        });
      }
      const port = await freePort();
      const run = await startContainer({
        image,
        manifest,
        args: ['serve'],
        env: {
          SM_LOCAL_ROOT: variantRoot,
          SM_MODEL_DIR: modelDir,
          SAGEMAKER_BIND_TO_PORT: String(port),
          SAGEMAKER_SAFE_PORT_RANGE: `${port}-${port}`,
          AWS_REGION: context.region,
          AWS_ENDPOINT_URL: context.endpoint(),
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...Object.fromEntries(
            Object.entries((container.Environment as Input | undefined) ?? {}).map(([k, v]) => [
              k,
              String(v),
            ]),
          ),
        },
        logFile,
        tracker: context.tracker,
      });
      deployment.variants.push({
        variantName,
        weight: Number(variant.InitialVariantWeight ?? 1),
        port,
        run,
        clients: {},
        specifiedImage,
        resolvedImage: `${specifiedImage.split('@')[0]?.replace(/:[^/:]+$/, '')}@${image.digest}`,
        resolutionTime: new Date(),
      });
      let exited = false;
      void run.exited.then(() => {
        exited = true;
      });
      const deadline = Date.now() + context.endpointStartTimeoutMs;
      let healthy = false;
      while (!exited && !options.failPing && Date.now() < deadline) {
        if ((await ping(port)) === 200) {
          healthy = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!healthy) {
        const tail = await logTail(logFile);
        throw new DeploymentError(
          `The primary container for production variant ${variantName} did not pass the ping health check${
            options.failPing ? ' (fault injected: pingFailsOnUpdate)' : ''
          }. Please check the logs for this endpoint (${logFile}).${tail ? ` Last lines: ${tail}` : ''}`,
        );
      }
    }
    return deployment;
  } catch (error) {
    await stopDeployment(deployment);
    throw error instanceof DeploymentError ? error : new DeploymentError((error as Error).message);
  }
}

export async function stopDeployment(deployment: Deployment): Promise<void> {
  for (const variant of deployment.variants) {
    for (const client of Object.values(variant.clients)) client.close();
    ProcessTracker.kill(variant.run.child);
  }
  await Promise.all(deployment.variants.map((variant) => variant.run.exited));
  await rm(deployment.root, { recursive: true, force: true });
}

const MAX_PAYLOAD = 6 * 1024 * 1024;

/** The variant a request goes to: the one it names, or one drawn by the variants' weights. */
function pickVariant(
  deployment: Deployment,
  endpointName: string,
  wanted: string | undefined,
): ServingVariant {
  if (wanted) {
    const named = deployment.variants.find((candidate) => candidate.variantName === wanted);
    if (!named) {
      throw new AwsError(
        'ValidationError',
        `Target variant ${wanted} does not exist for endpoint ${endpointName}.`,
      );
    }
    return named;
  }
  const { variants } = deployment;
  if (variants.length === 1) return variants[0] as ServingVariant;
  let total = 0;
  for (const candidate of variants) total += candidate.weight;
  let pick = Math.random() * total;
  for (const candidate of variants) {
    pick -= candidate.weight;
    if (pick < 0) return candidate;
  }
  const first = variants[0];
  if (!first) throw new AwsError('ValidationError', `Endpoint ${endpointName} has no variant in service.`);
  return first;
}

/**
 * InvokeEndpoint: the body is read with listeners and the container's answer comes back through a callback,
 * under one promise. This is the hot path of the stack (bench throughput at concurrency 1): the async iterator
 * of `readBody`, then a promise per step, each cost a measurable share of the proxy's time per request.
 */
export function invoke(
  context: ServiceContext,
  deployment: Deployment,
  endpointName: string,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD) {
        req.removeAllListeners('data');
        req.resume();
        reject(new AwsError('RequestEntityTooLarge', `Request body larger than ${MAX_PAYLOAD} bytes`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.once('error', reject);
    req.once('end', () => {
      if (size > MAX_PAYLOAD) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      let chosen: ServingVariant;
      try {
        const wanted = req.headers['x-amzn-sagemaker-target-variant'];
        chosen = pickVariant(deployment, endpointName, wanted === undefined ? undefined : String(wanted));
      } catch (error) {
        reject(error);
        return;
      }
      const custom = req.headers['x-amzn-sagemaker-custom-attributes'];
      const headers: InvokeHeaders = {
        contentType: req.headers['content-type'] ?? 'application/octet-stream',
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
        ...(custom ? { customAttributes: String(custom) } : {}),
      };
      const kind = context.invokeClient;
      let client = chosen.clients[kind];
      if (!client) {
        client = createInvokeClient(kind, chosen.port);
        chosen.clients[kind] = client;
      }
      client.post(headers, body, (error, response) => {
        try {
          answer(
            context,
            endpointName,
            chosen,
            res,
            requestId,
            response ?? { status: 0, headers: {}, body: Buffer.from(error?.message ?? 'no answer') },
          );
          resolve();
        } catch (failure) {
          reject(failure);
        }
      });
    });
  });
}

/** The container's answer as InvokeEndpoint's: its body and content type, or a ModelError (424). */
function answer(
  context: ServiceContext,
  endpointName: string,
  chosen: ServingVariant,
  res: ServerResponse,
  requestId: string,
  upstream: UpstreamResponse,
): void {
  if (upstream.status < 200 || upstream.status >= 300) {
    const logStreamArn = `arn:aws:logs:${context.region}:${context.account}:log-group:/aws/sagemaker/Endpoints/${endpointName}`;
    const original = upstream.body.toString('utf8');
    const kind = upstream.status >= 400 && upstream.status < 500 ? 'client' : 'server';
    sendRestJsonError(
      res,
      new AwsError(
        'ModelError',
        `Received ${kind} error (${upstream.status}) from primary with message "${original}". See ${logStreamArn} in account ${context.account} for more information.`,
        424,
        {
          ErrorCode: kind === 'client' ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL',
          OriginalStatusCode: upstream.status,
          OriginalMessage: original,
          LogStreamArn: logStreamArn,
        },
      ),
      requestId,
    );
    return;
  }
  const responseHeaders: Record<string, string> = {
    'content-type': String(upstream.headers['content-type'] ?? 'application/json'),
    'content-length': String(upstream.body.length),
    'x-amzn-invoked-production-variant': chosen.variantName,
    'x-amzn-requestid': requestId,
  };
  const customResponse = upstream.headers['x-amzn-sagemaker-custom-attributes'];
  if (customResponse) responseHeaders['x-amzn-sagemaker-custom-attributes'] = String(customResponse);
  res.writeHead(200, responseHeaders);
  res.end(upstream.body);
}
