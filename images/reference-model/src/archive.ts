// model.tar.gz as SageMaker writes it (a gzip'ed tar of /opt/ml/model). Processing jobs get the archive as is:
// the evaluation reads model.json out of it without extracting anything to disk.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { InputError } from './errors.js';

/** The content of `name` (at the archive's root, `./` allowed) inside a .tar.gz file. */
export async function readFromArchive(archive: string, name: string): Promise<string> {
  const extract = tar.extract();
  const reading = pipeline(createReadStream(archive), createGunzip(), extract);
  const seen: string[] = [];
  let found: string | undefined;
  try {
    for await (const entry of extract) {
      const entryName = path.posix.normalize(entry.header.name);
      seen.push(entryName);
      if (found === undefined && entry.header.type === 'file' && entryName === name) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        found = Buffer.concat(chunks).toString('utf8');
      } else {
        entry.resume();
      }
    }
    await reading;
  } catch (error) {
    await reading.catch(() => undefined);
    throw new InputError(`cannot read ${archive} as a .tar.gz archive: ${(error as Error).message}`);
  }
  if (found === undefined) {
    throw new InputError(`${archive} has no ${name} (entries: ${seen.slice(0, 10).join(', ') || 'none'})`);
  }
  return found;
}
