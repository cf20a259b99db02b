// A throwaway /opt/ml under a temporary SM_LOCAL_ROOT, as the offline stack lays it out, and a model.tar.gz.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export interface Container {
  root: string;
  env: Record<string, string>;
  /** Writes a file at a container path such as /opt/ml/input/data/train/a.csv. */
  write(containerPath: string, content: string): string;
  path(containerPath: string): string;
  remove(): void;
}

export function container(): Container {
  const root = mkdtempSync(path.join(tmpdir(), 'reference-model-'));
  const resolve = (containerPath: string): string => path.join(root, containerPath);
  return {
    root,
    env: { SM_LOCAL_ROOT: root },
    path: resolve,
    write(containerPath, content) {
      const file = resolve(containerPath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A gzip'ed tar with the given files at its root, as SageMaker packs /opt/ml/model. */
export async function writeTarGz(file: string, entries: Record<string, string>): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(file));
  for (const [name, content] of Object.entries(entries)) pack.entry({ name }, content);
  pack.finalize();
  await written;
}

/** Collects log lines instead of printing them. */
export function lines(): { log: (line: string) => void; all: string[] } {
  const all: string[] = [];
  return { log: (line) => all.push(line), all };
}
