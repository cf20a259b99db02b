/**
 * The jest setup of every package: ESM mode (middy 7 is ESM-only), ts-jest only transpiles (`tsc` type-checks),
 * tests under `tests/`, the package's `tests/setup-env.ts` when it has one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The config for the package in `dir` (pass `import.meta.dirname`), with `overrides` on top. */
export function jestConfig(dir, overrides = {}) {
  return {
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    roots: ['<rootDir>/tests'],
    ...(existsSync(path.join(dir, 'tests', 'setup-env.ts'))
      ? { setupFiles: ['<rootDir>/tests/setup-env.ts'] }
      : {}),
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
    },
    ...overrides,
  };
}
