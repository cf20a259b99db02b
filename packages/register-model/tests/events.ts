import { readFileSync } from 'node:fs';

/** Reads a sample event from the package's events/ folder (the same files `serverless invoke local` uses). */
export function sampleEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as T;
}
