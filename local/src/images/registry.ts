// Local images: a folder with an `image.json` manifest ({"entrypoint": ["node", "main.mjs"]}) that answers the
// SageMaker container commands (`train`, `serve`, and what a processing job passes as ContainerArguments), next
// to the Dockerfile of the real image. "Pushing" one registers it under a repository, a tag and the sha256 of
// its contents, emits ECR's `ECR Image Action` event, and makes its ECR URIs resolve to the folder.
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsError } from '../aws/errors.js';
import type { EventBus } from '../events/bus.js';

export interface ImageManifest {
  /** argv prefix; the container command (`train`, `serve`, ...) is appended. Relative to the folder. */
  entrypoint: string[];
}

export interface LocalImage {
  repository: string;
  digest: string;
  tags: string[];
  folder: string;
  pushedAt: string;
}

const SKIPPED = new Set(['.git', 'node_modules', '.local', '.turbo']);
const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_URI =
  /^(?:(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/)?([a-z0-9._/-]+?)(?:@(sha256:[a-f0-9]{64})|:([\w][\w.-]{0,127}))?$/;

async function listFiles(root: string, relative = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIPPED.has(entry.name)) continue;
    const child = path.posix.join(relative, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

/** sha256 over every file's relative path and content (node_modules and .git excluded). */
export async function folderDigest(folder: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(folder)) {
    hash
      .update(file)
      .update('\0')
      .update(await readFile(path.join(folder, file)))
      .update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

export async function readManifest(folder: string): Promise<ImageManifest> {
  const manifestFile = path.join(folder, 'image.json');
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new Error(`${manifestFile} is missing or not JSON: ${(error as Error).message}`);
  }
  const entrypoint = (manifest as { entrypoint?: unknown }).entrypoint;
  if (
    !Array.isArray(entrypoint) ||
    entrypoint.length === 0 ||
    entrypoint.some((part) => typeof part !== 'string')
  ) {
    throw new Error(`${manifestFile} must have "entrypoint": a non-empty array of strings`);
  }
  return { entrypoint: entrypoint as string[] };
}

export interface ParsedImageUri {
  repository: string;
  digest?: string;
  tag?: string;
}

export function parseImageUri(uri: string): ParsedImageUri | undefined {
  const match = IMAGE_URI.exec(uri);
  if (!match) return undefined;
  const [, , , repository = '', digest, tag] = match;
  return { repository, ...(digest ? { digest } : { tag: tag ?? 'latest' }) };
}

export class ImageRegistry {
  private images: LocalImage[] = [];

  constructor(
    private readonly file: string,
    private readonly bus: EventBus,
    private readonly region: string,
    private readonly account: string,
  ) {}

  async load(): Promise<void> {
    try {
      this.images = JSON.parse(await readFile(this.file, 'utf8')) as LocalImage[];
    } catch {
      this.images = [];
    }
  }

  list(): LocalImage[] {
    return this.images;
  }

  uriOf(image: LocalImage): string {
    return `${this.account}.dkr.ecr.${this.region}.amazonaws.com/${image.repository}@${image.digest}`;
  }

  async push(folder: string, repository: string, tag = 'latest'): Promise<LocalImage & { imageUri: string }> {
    if (!REPOSITORY.test(repository) || repository.length < 2 || repository.length > 256) {
      throw new AwsError('InvalidParameterException', `Invalid repository name "${repository}"`);
    }
    if (!TAG.test(tag)) throw new AwsError('InvalidParameterException', `Invalid image tag "${tag}"`);
    const absolute = path.resolve(folder);
    if (!(await stat(absolute).catch(() => undefined))?.isDirectory()) {
      throw new AwsError('InvalidParameterException', `Image folder ${absolute} does not exist`);
    }
    await readManifest(absolute).catch((error: Error) => {
      throw new AwsError('InvalidParameterException', error.message);
    });
    const digest = await folderDigest(absolute);
    for (const image of this.images) {
      if (image.repository === repository) image.tags = image.tags.filter((existing) => existing !== tag);
    }
    let image = this.images.find(
      (candidate) => candidate.repository === repository && candidate.digest === digest,
    );
    if (image) {
      image.folder = absolute;
      image.pushedAt = new Date().toISOString();
      image.tags.push(tag);
    } else {
      image = { repository, digest, tags: [tag], folder: absolute, pushedAt: new Date().toISOString() };
      this.images.push(image);
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(this.file, JSON.stringify(this.images, null, 2));
    this.bus.emit('aws.ecr', 'ECR Image Action', {
      result: 'SUCCESS',
      'repository-name': repository,
      'image-digest': digest,
      'action-type': 'PUSH',
      'image-tag': tag,
    });
    return { ...image, imageUri: this.uriOf(image) };
  }

  /** Resolves `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:...` or `:<tag>` to a local image. */
  async resolve(uri: string): Promise<{ image: LocalImage; manifest: ImageManifest }> {
    const parsed = parseImageUri(uri);
    const image = parsed
      ? this.images.find(
          (candidate) =>
            candidate.repository === parsed.repository &&
            (parsed.digest
              ? candidate.digest === parsed.digest
              : candidate.tags.includes(parsed.tag ?? 'latest')),
        )
      : undefined;
    if (!image) {
      throw new Error(
        `Requested image ${uri} not found: push it first with \`pnpm stack push <folder> --repository <name>\``,
      );
    }
    await access(image.folder).catch(() => {
      throw new Error(`The folder ${image.folder} of image ${uri} no longer exists`);
    });
    return { image, manifest: await readManifest(image.folder) };
  }
}
