// The reference data: the Palmer penguins (Gorman, Williams & Fraser 2014; Palmer Station Antarctica LTER;
// CC0 1.0) as shipped by the `vega-datasets` npm package, read from disk (no download). splits() cuts it,
// repeatably and stratified by species, into the pipeline's data: an initial training file, an evaluation
// file, a few "new data" batches for retraining, and held-out rows to ask the endpoint about.
// For development, tests and `pnpm start`: the image itself never imports this module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { toCsv } from './csv.js';
import { seededRandom, shuffled } from './random.js';

export const TARGET = 'species';
export const FEATURE_NAMES = ['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g'] as const;
export const HEADER = [TARGET, ...FEATURE_NAMES];

export interface Penguin {
  species: string;
  /** In FEATURE_NAMES order. */
  features: number[];
}

const SOURCE_COLUMNS = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'];

/** The file inside the vega-datasets package. */
export function penguinsFile(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  return path.join(path.dirname(entry), '..', 'data', 'penguins.json');
}

/** Every penguin with all four measurements (342 of 344), in the file's order. */
export function penguins(): Penguin[] {
  const records = JSON.parse(readFileSync(penguinsFile(), 'utf8')) as Record<string, unknown>[];
  return records.flatMap((record) => {
    const features = SOURCE_COLUMNS.map((column) => record[column]);
    const species = record.Species;
    return typeof species === 'string' &&
      features.every((value) => typeof value === 'number' && Number.isFinite(value))
      ? [{ species, features: features as number[] }]
      : [];
  });
}

export interface SplitOptions {
  seed?: number;
  evaluationRows?: number;
  holdoutRows?: number;
  newDataBatches?: number;
  newDataBatchRows?: number;
}

export interface DatasetSplits {
  header: string[];
  /** CSV with a header row: the initial training data. */
  train: string;
  /** CSV with a header row: the held-out evaluation data. */
  evaluation: string;
  /** CSV files with a header row each: new data that arrives later. */
  newData: string[];
  /**
   * Rows no CSV above contains, to send to the endpoint: `header` is FEATURE_NAMES, `features` the rows in that
   * order, `csv` the same rows as an invocation body (no header, no label).
   */
  holdout: { header: string[]; features: number[][]; labels: string[]; csv: string };
  counts: { train: number; evaluation: number; newData: number[]; holdout: number };
}

/**
 * Shuffles each species with a seeded generator and interleaves them by relative position, so that every
 * consecutive slice has about the species mix of the whole; then slices evaluation, holdout, the new-data
 * batches and, with the rest, training.
 */
export function stratifiedOrder(rows: readonly Penguin[], seed: number): Penguin[] {
  const random = seededRandom(seed);
  const bySpecies = new Map<string, Penguin[]>();
  for (const row of rows) bySpecies.set(row.species, [...(bySpecies.get(row.species) ?? []), row]);
  const keyed = [...bySpecies.keys()].sort().flatMap((species, speciesIndex) => {
    const group = shuffled(bySpecies.get(species) ?? [], random);
    return group.map((row, i) => ({ row, key: (i + 0.5) / group.length, speciesIndex }));
  });
  keyed.sort((a, b) => a.key - b.key || a.speciesIndex - b.speciesIndex);
  return keyed.map(({ row }) => row);
}

const csvOf = (rows: readonly Penguin[]): string =>
  toCsv([HEADER, ...rows.map((row) => [row.species, ...row.features])]);

export function splits(options: SplitOptions = {}): DatasetSplits {
  const {
    seed = 7,
    evaluationRows = 70,
    holdoutRows = 30,
    newDataBatches = 3,
    newDataBatchRows = 30,
  } = options;
  const ordered = stratifiedOrder(penguins(), seed);
  const reserved = evaluationRows + holdoutRows + newDataBatches * newDataBatchRows;
  if (ordered.length - reserved < 30) {
    throw new RangeError(`${ordered.length} rows cannot give ${reserved} reserved rows and a training set`);
  }
  let offset = 0;
  const take = (count: number): Penguin[] => {
    const slice = ordered.slice(offset, offset + count);
    offset += count;
    return slice;
  };
  const evaluation = take(evaluationRows);
  const holdout = take(holdoutRows);
  const batches = Array.from({ length: newDataBatches }, () => take(newDataBatchRows));
  const train = ordered.slice(offset);
  return {
    header: HEADER,
    train: csvOf(train),
    evaluation: csvOf(evaluation),
    newData: batches.map(csvOf),
    holdout: {
      header: [...FEATURE_NAMES],
      features: holdout.map((row) => row.features),
      labels: holdout.map((row) => row.species),
      csv: toCsv(holdout.map((row) => row.features)),
    },
    counts: {
      train: train.length,
      evaluation: evaluation.length,
      newData: batches.map((batch) => batch.length),
      holdout: holdout.length,
    },
  };
}
