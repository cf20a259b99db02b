/** Where things are in the workspace, from this package's compiled `dist/` (or `src/` under jest). */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchDir = path.join(workspace, 'bench');

/** Every stage service: a `packages/<name>/serverless.yml` with functions (infra has none). */
export function stageServices(): string[] {
  const packages = path.join(workspace, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(packages, entry.name, 'src', 'handler.ts')),
    )
    .map((entry) => path.join(packages, entry.name))
    .sort();
}

export const infraService = path.join(workspace, 'packages', 'infra');

/** Every service of `packages/` (infra and the stages), as `pnpm stack` and `pnpm start` run them. */
export function allServices(): string[] {
  const packages = path.join(workspace, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(packages, entry.name, 'serverless.yml')))
    .map((entry) => path.join(packages, entry.name))
    .sort();
}
