/** Jest in ESM mode; ts-jest only transpiles, `tsc` type-checks. Integration suites each start their own stack. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/tests'],
  testPathIgnorePatterns: ['/fixtures/'],
  setupFiles: ['<rootDir>/tests/setup-env.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 60_000,
};
