// model.tar.gz as SageMaker writes and reads it: a gzip'ed tar of /opt/ml/model.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';

async function listFiles(root: string, relative = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(root, child)));
    else if (entry.isFile()) files.push(child);
  }
  return files.sort();
}

export async function packDirectory(dir: string, outFile: string): Promise<void> {
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(outFile));
  for (const file of await listFiles(dir)) {
    const absolute = path.join(dir, file);
    const info = await stat(absolute);
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry(
        { name: file, size: info.size, mode: info.mode & 0o777, mtime: info.mtime },
        (error) => (error ? reject(error) : resolve()),
      );
      pipeline(createReadStream(absolute), entry).catch(reject);
    });
  }
  pack.finalize();
  await written;
}

export async function extractArchive(file: string, destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  const root = path.resolve(destination);
  const extract = tar.extract();
  const reading = pipeline(createReadStream(file), createGunzip(), extract);
  for await (const entry of extract) {
    const target = path.resolve(root, entry.header.name);
    if (target !== root && !target.startsWith(`${root}${path.sep}`)) {
      entry.resume();
      throw new Error(`model archive entry escapes the model folder: ${entry.header.name}`);
    }
    if (entry.header.type === 'directory') {
      await mkdir(target, { recursive: true });
      entry.resume();
    } else if (entry.header.type === 'file') {
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(entry, createWriteStream(target, { mode: entry.header.mode ?? 0o644 }));
    } else {
      entry.resume();
    }
  }
  await reading;
}

/** The files of a model.tar.gz as text, by their path in the archive: what a test reads back from S3. */
export async function readArchiveFiles(archive: Uint8Array): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const extract = tar.extract();
  const gunzip = createGunzip();
  gunzip.pipe(extract);
  gunzip.end(Buffer.from(archive));
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files[entry.header.name] = Buffer.concat(chunks).toString('utf8');
  }
  return files;
}
