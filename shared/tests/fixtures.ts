import { readFileSync } from 'node:fs';

/** Reads a JSON sample from tests/fixtures. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}
