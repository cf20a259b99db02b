// Labelled tabular data from the CSV files of a folder (a SageMaker channel): every *.csv below it, in path
// order, each with a header row. The label column is `target` (default: the first column); the features are
// the other columns, matched by name across files. Rows with a missing value are skipped and counted.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMissing, parseCsv, parseNumber } from './csv.js';
import { InputError } from './errors.js';

export interface LabelledData {
  target: string;
  featureNames: string[];
  features: number[][];
  labels: string[];
  /** Rows left out because a feature or the label had no value. */
  skippedRows: number;
  /** The files read, relative to the folder. */
  files: string[];
}

export interface TableOptions {
  /** The label column; default the first column of the header. */
  target?: string | undefined;
  /** The feature columns to read, in this order (a model's); default every column but the label. */
  featureNames?: readonly string[] | undefined;
}

/** Every *.csv file under `dir`, recursively, relative to it and sorted, so that the order is repeatable. */
export function listCsvFiles(dir: string): string[] {
  let info: ReturnType<typeof statSync> | undefined;
  try {
    info = statSync(dir);
  } catch {
    throw new InputError(`${dir} does not exist: is the channel or processing input configured?`);
  }
  if (!info.isDirectory()) throw new InputError(`${dir} is not a folder`);
  const walk = (relative: string): string[] =>
    readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return walk(child);
      return entry.isFile() && entry.name.toLowerCase().endsWith('.csv') ? [child] : [];
    });
  return walk('').sort();
}

export function emptyData(target: string, featureNames: string[]): LabelledData {
  return { target, featureNames, features: [], labels: [], skippedRows: 0, files: [] };
}

/** Adds the rows of one CSV text to `data` (whose target and features the first file decides). */
export function appendCsv(
  data: LabelledData | undefined,
  text: string,
  source: string,
  options: TableOptions = {},
): LabelledData {
  const rows = parseCsv(text, source);
  const header = rows[0]?.map((cell) => cell.trim());
  if (!header || header.length < 2) {
    throw new InputError(`${source}: expected a header row with a label column and at least one feature`);
  }
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate !== undefined) throw new InputError(`${source}: the column "${duplicate}" appears twice`);
  const target = data?.target ?? options.target ?? header[0] ?? '';
  const featureNames = data?.featureNames ?? [
    ...(options.featureNames ?? header.filter((name) => name !== target)),
  ];
  const labelIndex = header.indexOf(target);
  if (labelIndex < 0) {
    throw new InputError(`${source}: no label column "${target}" in the header (${header.join(', ')})`);
  }
  const featureIndexes = featureNames.map((name) => header.indexOf(name));
  const absent = featureNames.filter((_, i) => featureIndexes[i] === -1);
  if (absent.length) throw new InputError(`${source}: missing feature column(s) ${absent.join(', ')}`);
  if (!options.featureNames) {
    // Training: every file has the first file's columns (in any order), no more.
    const extra = header.filter((name) => name !== target && !featureNames.includes(name));
    if (extra.length) {
      throw new InputError(
        `${source}: column(s) ${extra.join(', ')} are not in the first file's header (${[target, ...featureNames].join(', ')})`,
      );
    }
  }

  const result = data ?? emptyData(target, featureNames);
  result.files.push(source);
  for (let r = 1; r < rows.length; r += 1) {
    const row = rows[r] ?? [];
    if (row.length !== header.length) {
      throw new InputError(`${source}, row ${r + 1}: ${row.length} values for ${header.length} columns`);
    }
    const label = (row[labelIndex] ?? '').trim();
    const cells = featureIndexes.map((index) => row[index] ?? '');
    if (isMissing(label) || cells.some(isMissing)) {
      result.skippedRows += 1;
      continue;
    }
    result.features.push(
      cells.map((cell, i) => {
        const value = parseNumber(cell);
        if (value === undefined) {
          throw new InputError(
            `${source}, row ${r + 1}: "${cell}" in column ${featureNames[i]} is not a number`,
          );
        }
        return value;
      }),
    );
    result.labels.push(label);
  }
  return result;
}

/** Reads every CSV file under `dir` as one table. */
export function readLabelledDir(dir: string, options: TableOptions = {}): LabelledData {
  const files = listCsvFiles(dir);
  if (!files.length) throw new InputError(`no CSV file under ${dir}`);
  let data: LabelledData | undefined;
  for (const file of files) {
    data = appendCsv(data, readFileSync(path.join(dir, file), 'utf8'), file, options);
  }
  if (!data?.labels.length) {
    throw new InputError(`no complete row in ${files.length} CSV file(s) under ${dir}`);
  }
  return data;
}
