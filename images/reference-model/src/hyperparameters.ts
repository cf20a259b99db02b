// The image's hyperparameters. SageMaker passes them as strings (hyperparameters.json); the training toolkit's
// SM_HPS may carry them decoded. Unknown names are refused, so that a typo does not silently train with a
// default; `sagemaker_*` names (set by the SageMaker SDK for script mode) are ignored.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { type Env, inputConfigDir } from './paths.js';

export interface Hyperparameters {
  /** Trees in the forest. */
  n_estimators: number;
  /** Maximum depth of each tree. */
  max_depth: number;
  /** Fraction of the features each tree is trained on, in (0, 1]. */
  max_features: number;
  /** A node with this many samples or fewer becomes a leaf. */
  min_samples_split: number;
  /** Seed of the bootstrap and feature sampling: same data, same seed, same model. */
  seed: number;
  /** The label column; default the first column of the training data. */
  target?: string | undefined;
}

export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  n_estimators: 50,
  max_depth: 10,
  max_features: 1,
  min_samples_split: 3,
  seed: 42,
};

const integer = (name: string, raw: string, min: number, max: number): number => {
  if (!/^[+-]?\d+$/.test(raw)) throw new InputError(`hyperparameter ${name}="${raw}" must be an integer`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new InputError(`hyperparameter ${name}=${raw} must be between ${min} and ${max}`);
  }
  return value;
};

const fraction = (name: string, raw: string): number => {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!(value > 0 && value <= 1)) {
    throw new InputError(`hyperparameter ${name}="${raw}" must be a number in (0, 1]`);
  }
  return value;
};

const PARSERS: Record<
  keyof Hyperparameters,
  (name: string, raw: string) => Hyperparameters[keyof Hyperparameters]
> = {
  n_estimators: (name, raw) => integer(name, raw, 1, 1000),
  max_depth: (name, raw) => integer(name, raw, 1, 100),
  max_features: fraction,
  min_samples_split: (name, raw) => integer(name, raw, 1, 1_000_000),
  seed: (name, raw) => integer(name, raw, 0, 2 ** 31 - 1),
  target: (name, raw) => {
    if (!raw.trim()) throw new InputError(`hyperparameter ${name} must not be empty`);
    return raw.trim();
  },
};

export function parseHyperparameters(raw: Record<string, unknown>): Hyperparameters {
  const parsed: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS };
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name.startsWith('sagemaker_')) continue;
    const parse = PARSERS[name as keyof Hyperparameters];
    if (!parse) {
      unknown.push(name);
      continue;
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    (parsed as unknown as Record<string, unknown>)[name] = parse(name, text.trim());
  }
  if (unknown.length) {
    throw new InputError(
      `unknown hyperparameter(s) ${unknown.join(', ')}; this image takes ${Object.keys(PARSERS).join(', ')}`,
    );
  }
  return parsed;
}

/** hyperparameters.json of the contract, else the toolkit's SM_HPS, else none. */
export function readHyperparameters(env: Env): Record<string, unknown> {
  const file = path.join(inputConfigDir(env), 'hyperparameters.json');
  let text: string | undefined;
  let source = file;
  if (existsSync(file)) text = readFileSync(file, 'utf8');
  else if (env.SM_HPS) {
    text = env.SM_HPS;
    source = 'SM_HPS';
  }
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${source} must be a JSON object of hyperparameters`);
  }
  return value as Record<string, unknown>;
}
