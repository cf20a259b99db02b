// Runs an image's entrypoint as a local process in place of a container: its own process group (so a stop
// reaches every child), its output in a log file, and a timeout.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImageManifest, LocalImage } from '../images/registry.js';

/** Every process the stack started, so that stopping the stack stops them all. */
export class ProcessTracker {
  private readonly children = new Set<ChildProcess>();

  add(child: ChildProcess): void {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  static kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }

  async stopAll(graceMs = 2_000): Promise<void> {
    const running = [...this.children];
    for (const child of running) ProcessTracker.kill(child, 'SIGTERM');
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => {
              ProcessTracker.kill(child, 'SIGKILL');
              resolve();
            }, graceMs);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}

export interface ContainerRun {
  child: ChildProcess;
  /** Resolves when the process ends: its exit code, or null when killed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>;
}

export async function startContainer(options: {
  image: LocalImage;
  manifest: ImageManifest;
  args: string[];
  env: Record<string, string>;
  logFile: string;
  tracker: ProcessTracker;
  timeoutMs?: number;
}): Promise<ContainerRun> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const [command = 'node', ...rest] = options.manifest.entrypoint;
  const executable = command === 'node' ? process.execPath : command;
  const log = openSync(options.logFile, 'a');
  const child = spawn(executable, [...rest, ...options.args], {
    cwd: options.image.folder,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  options.tracker.add(child);
  let timedOut = false;
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          ProcessTracker.kill(child, 'SIGKILL');
        }, options.timeoutMs)
      : undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>(
    (resolve) => {
      child.once('error', () => resolve({ code: 127, signal: null, timedOut }));
      child.once('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, timedOut });
      });
    },
  );
  return { child, exited };
}
