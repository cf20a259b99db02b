/**
 * The sample events of a stage: the files of its `events/` folder, which `serverless invoke local` and the tests
 * both use.
 */
import { readFileSync } from 'node:fs';

/** A reader of the sample events in `<packageDir>/events/`; `D` is the type an event has unless said otherwise. */
export function sampleEventsOf<D = Record<string, unknown>>(packageDir: URL): <T = D>(name: string) => T {
  return <T = D>(name: string): T =>
    JSON.parse(readFileSync(new URL(`events/${name}`, packageDir), 'utf8')) as T;
}
