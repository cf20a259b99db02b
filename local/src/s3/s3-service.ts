// S3: s3rver on an internal loopback port behind the edge. The edge strips SigV4 (any credentials are accepted),
// decodes `aws-chunked` bodies so objects are stored byte for byte, serves bucket notification configurations
// (s3rver has none) and turns s3rver's object events into real S3 notification records.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { XMLParser } from 'fast-xml-parser';
import S3rver from 's3rver';
import { AwsError, sendXmlError } from '../aws/errors.js';
import { readBody } from '../http-util.js';
import { answerCreateBucket, BucketLocations, locationXml } from './buckets.js';
import { answeredConditionally } from './conditions.js';
import { xmlEntitiesOnly } from './error-xml.js';
import type { S3ObjectEvent } from './notification-record.js';
import { type NotificationRule, parseNotificationXml, toNotificationXml } from './notifications.js';
import { presignedUrlRefusal, SIGV2_QUERY } from './presigned.js';
import { readChunkedBody, readWholeBody } from './write-body.js';

export interface S3ServiceOptions {
  dir: string;
  /** The stack's region, for a request whose credential scope names none. */
  region?: string;
  onObjectEvent: (event: S3ObjectEvent) => void;
  onNotificationConfigured: (bucket: string, rules: NotificationRule[]) => void;
  /** How long a write's body may send nothing before S3 answers RequestTimeout. Default 20 s. */
  idleTimeoutMs?: number;
}

const SIGNING_QUERY = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
  ...SIGV2_QUERY,
]);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

interface S3rverEventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' });

export const encodeKeyPath = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

export class S3Service {
  readonly notifications = new Map<string, NotificationRule[]>();

  private constructor(
    private readonly server: S3rver,
    private readonly port: number,
    private readonly tmpDir: string,
    private readonly options: S3ServiceOptions,
    /** The region each bucket was created in: s3rver keeps none. */
    private readonly locations = new BucketLocations(path.join(options.dir, 's3-locations.json')),
  ) {}

  static async start(options: S3ServiceOptions): Promise<S3Service> {
    const tmpDir = path.join(options.dir, 'tmp', 's3-uploads');
    await mkdir(path.join(options.dir, 's3'), { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: path.join(options.dir, 's3'),
      vhostBuckets: false,
    });
    const address = (await server.run()) as AddressInfo;
    const service = new S3Service(server, address.port, tmpDir, options);
    (server as unknown as NodeJS.EventEmitter).on('event', (event: { Records: S3rverEventRecord[] }) =>
      service.forwardEvent(event),
    );
    return service;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  private forwardEvent(event: { Records: S3rverEventRecord[] }): void {
    for (const record of event.Records) {
      // s3rver reports a completed multipart upload as `Post`; SDK clients never use browser form POSTs.
      const eventName =
        record.eventName === 'ObjectCreated:Post'
          ? 'ObjectCreated:CompleteMultipartUpload'
          : record.eventName;
      this.options.onObjectEvent({
        eventName,
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        size: record.s3.object.size,
        eTag: record.s3.object.eTag,
        time: new Date(),
      });
    }
  }

  async createBucket(name: string): Promise<void> {
    const response = await this.request('PUT', `/${name}`);
    if (response.status !== 200 && response.status !== 409) {
      throw new Error(`cannot create bucket ${name}: ${response.status} ${response.body}`);
    }
  }

  /** Deletes an empty bucket; a bucket with objects is refused, as S3 refuses it (BucketNotEmpty). */
  async deleteBucket(name: string): Promise<void> {
    const response = await this.request('DELETE', `/${encodeURIComponent(name)}`);
    if (response.status === 404) return;
    if (response.status !== 204) {
      const code = /<Code>([^<]*)<\/Code>/.exec(response.body)?.[1] ?? String(response.status);
      throw new Error(
        code === 'BucketNotEmpty'
          ? `The bucket you tried to delete is not empty (${name})`
          : `cannot delete bucket ${name}: ${code}`,
      );
    }
    this.notifications.delete(name);
  }

  setNotifications(bucket: string, rules: NotificationRule[]): void {
    this.notifications.set(bucket, rules);
    this.options.onNotificationConfigured(bucket, rules);
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    region?: string,
  ): Promise<void> {
    const segments = url.pathname.split('/').filter(Boolean);
    const refusal = presignedUrlRefusal(url);
    if (refusal) {
      req.resume();
      sendXmlError(res, refusal, requestId);
      return;
    }
    if (segments.length === 1 && url.searchParams.has('notification')) {
      await this.handleNotification(req, res, decodeURIComponent(segments[0] ?? ''), requestId);
      return;
    }
    const query = new URLSearchParams();
    for (const [name, value] of url.searchParams) {
      if (!SIGNING_QUERY.has(name.toLowerCase())) query.append(name, value);
    }
    if (segments.length === 1 && req.method === 'PUT' && query.size === 0) {
      const bucket = decodeURIComponent(segments[0] ?? '');
      await answerCreateBucket(req, res, bucket, requestId, {
        region: region ?? this.options.region ?? 'us-east-1',
        locations: this.locations,
        exists: async () => (await this.objectHead(`/${encodeURIComponent(bucket)}`)) !== undefined,
        create: () => this.request('PUT', `/${encodeURIComponent(bucket)}`),
      });
      return;
    }
    if (segments.length === 1 && req.method === 'GET' && [...query.keys()].join() === 'location') {
      const bucket = decodeURIComponent(segments[0] ?? '');
      if ((await this.objectHead(`/${encodeURIComponent(bucket)}`)) !== undefined) {
        const xml = locationXml(this.locations.of(bucket));
        const type = { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) };
        res.writeHead(200, { ...type, 'x-amz-request-id': requestId });
        res.end(xml);
        return;
      }
    }
    const target = `${url.pathname}${query.size ? `?${query.toString().replace(/=(&|$)/g, '$1')}` : ''}`;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || name === 'authorization') continue;
      headers[name] = value;
    }
    headers.host = `127.0.0.1:${this.port}`;
    // S3 percent-decodes x-amz-copy-source; s3rver uses decodeURI, which leaves %2B, %2F, %3F... encoded (a
    // key with `+`, encoded as clients do, was not found): the edge hands it a form decodeURI reads exactly.
    const copySource = req.headers['x-amz-copy-source'];
    if (typeof copySource === 'string') {
      const [source = '', version] = copySource.split('?');
      try {
        headers['x-amz-copy-source'] =
          `${encodeURI(decodeURIComponent(source))}${version ? `?${version}` : ''}`;
      } catch {
        // not percent-encoding: s3rver answers it as it does
      }
    }

    // The object's size and ETag, read from s3rver at most once per request, and only when a header needs them.
    let head: Promise<{ size: number; etag: string } | undefined> | undefined;
    const objectHead = () => {
      head ??= this.objectHead(url.pathname);
      return head;
    };
    if (segments.length >= 2 && (await answeredConditionally(req, res, objectHead, requestId))) return;
    delete headers['if-match'];
    delete headers['if-none-match'];
    // s3rver reads `bytes=-N` as the first N + 1 bytes; S3 serves the last N: the edge makes it a plain range.
    const suffix = req.method === 'GET' ? /^bytes=-(\d+)$/.exec(String(req.headers.range ?? '')) : null;
    if (suffix) {
      const size = (await objectHead())?.size;
      if (size !== undefined && size > 0 && Number(suffix[1]) > 0) {
        headers.range = `bytes=${Math.max(0, size - Number(suffix[1]))}-${size - 1}`;
      }
    }

    const contentSha = String(req.headers['x-amz-content-sha256'] ?? '');
    const encoding = String(req.headers['content-encoding'] ?? '');
    const chunked = contentSha.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/.test(encoding);
    const write = req.method === 'PUT' && segments.length >= 2 && copySource === undefined;
    if (!chunked && !write) {
      await this.proxy(req, res, target, headers, req);
      return;
    }
    const file = path.join(this.tmpDir, randomUUID());
    try {
      // the whole body first, checked: s3rver would store a body that stops short, stalls or is corrupt
      const body = chunked
        ? await readChunkedBody(req, file)
        : await readWholeBody(req, file, this.options.idleTimeoutMs);
      if (chunked) {
        const remaining = encoding
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part && part !== 'aws-chunked');
        if (remaining.length) headers['content-encoding'] = remaining.join(',');
        else delete headers['content-encoding'];
        for (const name of [
          'x-amz-decoded-content-length',
          'x-amz-trailer',
          'x-amz-sdk-checksum-algorithm',
        ]) {
          delete headers[name];
        }
        headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        headers['content-length'] = String(body.length);
      }
      await this.proxy(
        req,
        res,
        target,
        headers,
        createReadStream(file),
        body.crc32Asked ? body.crc32 : undefined,
      );
    } catch (error) {
      if (error instanceof AwsError) sendXmlError(res, error, requestId);
      else throw error;
    } finally {
      await rm(file, { force: true });
    }
  }

  private proxy(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    headers: Record<string, string | string[]>,
    body: NodeJS.ReadableStream,
    checksumCrc32?: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: '127.0.0.1', port: this.port, method: req.method, path: target, headers },
        (response) => {
          const responseHeaders = { ...response.headers };
          if (checksumCrc32 && response.statusCode === 200)
            responseHeaders['x-amz-checksum-crc32'] = checksumCrc32;
          const status = response.statusCode ?? 502;
          if (status >= 400 && String(response.headers['content-type'] ?? '').includes('xml')) {
            // s3rver escapes error XML with HTML's named entities (&uuml;), which no XML parser reads
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', reject);
            response.on('end', () => {
              const xml = xmlEntitiesOnly(Buffer.concat(chunks).toString('utf8'));
              res.writeHead(status, { ...responseHeaders, 'content-length': Buffer.byteLength(xml) });
              res.end(xml, resolve);
            });
            return;
          }
          res.writeHead(status, responseHeaders);
          pipeline(response, res).then(resolve, reject);
        },
      );
      upstream.on('error', reject);
      pipeline(body, upstream).catch(reject);
    });
  }

  private async handleNotification(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    requestId: string,
  ): Promise<void> {
    const exists = await this.request('HEAD', `/${bucket}`);
    if (exists.status === 404) {
      sendXmlError(res, new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404), requestId);
      return;
    }
    if (req.method === 'GET') {
      const body = toNotificationXml(this.notifications.get(bucket) ?? []);
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'PUT') {
      const body = await readBody(req, 1024 * 1024);
      let rules: NotificationRule[];
      try {
        rules = parseNotificationXml(body.toString('utf8'));
      } catch {
        sendXmlError(
          res,
          new AwsError(
            'MalformedXML',
            'The XML you provided was not well-formed or did not validate against our published schema',
          ),
          requestId,
        );
        return;
      }
      this.setNotifications(bucket, rules);
      res.writeHead(200, { 'content-length': 0, 'x-amz-request-id': requestId });
      res.end();
      return;
    }
    sendXmlError(
      res,
      new AwsError('MethodNotAllowed', 'The specified method is not allowed', 405),
      requestId,
    );
  }

  /**
   * The size and ETag of the object at `objectPath` (`/<bucket>/<key>`), or undefined when s3rver has none; for
   * a bucket (`/<bucket>`), size 0 when it exists.
   */
  private objectHead(objectPath: string): Promise<{ size: number; etag: string } | undefined> {
    return new Promise((resolve) => {
      const head = http.request(
        { host: '127.0.0.1', port: this.port, method: 'HEAD', path: objectPath },
        (response) => {
          response.resume();
          const length = Number(response.headers['content-length']);
          if (response.statusCode !== 200) resolve(undefined);
          else
            resolve({
              size: Number.isFinite(length) ? length : 0,
              etag: String(response.headers.etag ?? ''),
            });
        },
      );
      head.on('error', () => resolve(undefined));
      head.end();
    });
  }

  /** A plain request to s3rver, for the stack's own use (jobs, endpoints). */
  async request(method: string, target: string, body?: Buffer): Promise<{ status: number; body: string }> {
    const answer = await this.requestBytes(method, target, body);
    return { status: answer.status, body: answer.body.toString('utf8') };
  }

  /** A request to the S3 server underneath, its answer's body as bytes (an object that is no text). */
  requestBytes(method: string, target: string, body?: Buffer): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: target,
          headers: { 'content-length': body?.length ?? 0 },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async listKeys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10_000; page += 1) {
      const query = new URLSearchParams({ 'list-type': '2', prefix });
      if (token) query.set('continuation-token', token);
      const response = await this.request('GET', `/${bucket}?${query}`);
      if (response.status === 404)
        throw new AwsError('NoSuchBucket', `The specified bucket ${bucket} does not exist`, 404);
      if (response.status !== 200)
        throw new Error(`cannot list s3://${bucket}/${prefix}: ${response.status}`);
      const result = xml.parse(response.body) as {
        ListBucketResult?: {
          Contents?: { Key: string }[];
          IsTruncated?: string;
          NextContinuationToken?: string;
        };
      };
      for (const item of result.ListBucketResult?.Contents ?? []) keys.push(String(item.Key));
      if (result.ListBucketResult?.IsTruncated !== 'true') return keys;
      token = result.ListBucketResult.NextContinuationToken;
    }
    return keys;
  }

  async download(bucket: string, key: string, file: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: this.port, path: `/${bucket}/${encodeKeyPath(key)}` }, (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            reject(new AwsError('NoSuchKey', `s3://${bucket}/${key} does not exist`, 404));
            return;
          }
          pipeline(response, createWriteStream(file)).then(resolve, reject);
        })
        .on('error', reject);
    });
  }

  async upload(
    bucket: string,
    key: string,
    file: string,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    const size = (await stat(file)).size;
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'PUT',
          path: `/${bucket}/${encodeKeyPath(key)}`,
          headers: { 'content-length': size, 'content-type': contentType },
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200
              ? resolve()
              : reject(new Error(`cannot upload s3://${bucket}/${key}: ${response.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      pipeline(createReadStream(file), req).catch(reject);
    });
  }
}

/** The bucket and key of an S3 URI in a SageMaker request, refused as the SageMaker API refuses it. */
export function requestS3Location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new AwsError('ValidationException', `Invalid S3 URI: ${uri}`);
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}
