/**
 * Figures the reliability suites measure: each suite records its own under a name, they are printed at the
 * end of the run and written to reliability/figures/<name>.json, from which docs/reliability.md
 * is taken.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIGURES_DIR = fileURLToPath(new URL('../figures', import.meta.url));

export function recordFigures(name: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  writeFileSync(path.join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`FIGURES ${name}: ${JSON.stringify(figures)}\n`);
}
