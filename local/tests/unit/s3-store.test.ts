/**
 * The store under the stack's S3 (s3rver's filesystem store, patched): an object is written to a temporary file
 * and renamed over the old one once whole, so a write that fails half-way leaves the old object as it was and
 * no trace of itself. Unpatched, the store truncated the old object at once and waited forever on a failed body.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
// s3rver has no types for its store; these are its CommonJS classes
// @ts-expect-error untyped CommonJS module
import S3Object from 's3rver/lib/models/object.js';
// @ts-expect-error untyped CommonJS module
import FilesystemStore from 's3rver/lib/stores/filesystem.js';

interface Store {
  putBucket(bucket: string): Promise<void>;
  putObject(object: unknown): Promise<{ size: number; md5: string }>;
  getResourcePath(bucket: string, key: string, resource: string): string;
}

describe("S3's store: writes by temporary file and rename", () => {
  let dir: string;
  let store: Store;
  const put = (key: string, content: Buffer | Readable) =>
    store.putObject(new S3Object('bucket', key, content, { 'content-type': 'text/plain' }));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 's3-store-'));
    store = new FilesystemStore(dir) as Store;
    await store.putBucket('bucket');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces an object whole', async () => {
    await put('key.txt', Buffer.from('old'));

    const written = await put('key.txt', Readable.from([Buffer.from('ne'), Buffer.from('w')]));

    expect(written.size).toBe(3);
    expect(await readFile(store.getResourcePath('bucket', 'key.txt', 'object'), 'utf8')).toBe('new');
  });

  it('keeps the old object, and leaves nothing behind, when the new body fails half-way', async () => {
    await put('key.txt', Buffer.from('the old object'));
    const failing = new Readable({ read() {} });
    failing.push(Buffer.from('half of the new'));
    setTimeout(() => failing.destroy(new Error('the client went away')), 50);

    await expect(put('key.txt', failing)).rejects.toThrow('the client went away');

    expect(await readFile(store.getResourcePath('bucket', 'key.txt', 'object'), 'utf8')).toBe(
      'the old object',
    );
    expect((await readdir(path.join(dir, 'bucket'))).filter((name) => name.includes('partial'))).toEqual([]);
  }, 5_000);
});
