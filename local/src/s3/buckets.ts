// CreateBucket and GetBucketLocation as S3 answers them. s3rver ignores CreateBucketConfiguration and says every
// bucket is in us-east-1: the edge checks the configuration (MalformedXML, InvalidLocationConstraint) and keeps
// the region each bucket was created in, in the stack's folder.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError, sendXmlError } from '../aws/errors.js';
import { readBody } from '../http-util.js';
import { xmlEntitiesOnly } from './error-xml.js';

/** A region name S3 accepts as a LocationConstraint (us-east-1 is not one: it is the absence of one). */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const malformed = () =>
  new AwsError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** The LocationConstraint a CreateBucket body asks for ('' for none: us-east-1), or S3's refusal. */
export function requestedLocation(body: Buffer): string | AwsError {
  const text = body.toString('utf8').trim();
  if (!text) return '';
  if (XMLValidator.validate(text) !== true) return malformed();
  const parsed = new XMLParser({ parseTagValue: false, removeNSPrefix: true }).parse(text) as Record<
    string,
    unknown
  >;
  const configuration = parsed.CreateBucketConfiguration;
  if (
    configuration === undefined ||
    Object.keys(parsed).some((root) => !['?xml', 'CreateBucketConfiguration'].includes(root))
  )
    return malformed();
  if (configuration === '') return '';
  const location = (configuration as { LocationConstraint?: unknown }).LocationConstraint;
  if (location === undefined) return '';
  if (
    typeof location !== 'string' ||
    location === 'us-east-1' ||
    !(REGION.test(location) || location === 'EU')
  ) {
    return new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid');
  }
  return location;
}

/** GetBucketLocation's answer: an empty LocationConstraint for us-east-1. */
export function locationXml(location: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${location}</LocationConstraint>`;
}

/** The region each bucket was created in, kept in a file of the stack's folder. */
export class BucketLocations {
  private readonly locations: Record<string, string>;

  constructor(private readonly file: string) {
    try {
      this.locations = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      this.locations = {};
    }
  }

  of(bucket: string): string {
    return this.locations[bucket] ?? '';
  }

  async set(bucket: string, location: string): Promise<void> {
    this.locations[bucket] = location;
    await writeFile(this.file, JSON.stringify(this.locations));
  }
}

/**
 * CreateBucket: its CreateBucketConfiguration checked and its region kept (s3rver ignores both); a bucket you own
 * is created again with 200 in us-east-1 (S3's legacy answer there), 409 elsewhere. A request sent to another
 * region than us-east-1 creates a bucket of that region only.
 */
export async function answerCreateBucket(
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  requestId: string,
  store: {
    /** The region the request was sent to (its credential scope's). */
    region: string;
    locations: BucketLocations;
    exists: () => Promise<boolean>;
    create: () => Promise<{ status: number; body: string }>;
  },
): Promise<void> {
  const location = requestedLocation(await readBody(req, 64 * 1024));
  if (location instanceof AwsError) return sendXmlError(res, location, requestId);
  // a regional endpoint creates buckets in its own region only (us-east-1's also serves the others)
  if (
    store.region !== 'us-east-1' &&
    (location === 'EU' ? 'eu-west-1' : location || 'us-east-1') !== store.region
  ) {
    const message = `The ${location || 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`;
    return sendXmlError(res, new AwsError('IllegalLocationConstraintException', message), requestId);
  }
  const created = { location: `/${bucket}`, 'x-amz-request-id': requestId, 'content-length': 0 };
  if (await store.exists()) {
    if (store.region !== 'us-east-1') {
      const message = 'Your previous request to create the named bucket succeeded and you already own it.';
      return sendXmlError(res, new AwsError('BucketAlreadyOwnedByYou', message, 409), requestId);
    }
    res.writeHead(200, created).end();
    return;
  }
  const answer = await store.create();
  if (answer.status !== 200) {
    const xml = xmlEntitiesOnly(answer.body);
    res
      .writeHead(answer.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId })
      .end(xml);
    return;
  }
  await store.locations.set(bucket, location);
  res.writeHead(200, created).end();
}
