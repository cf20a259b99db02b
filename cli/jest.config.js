import { jestConfig } from '../jest.base.js';

// Integration suites each start their own stack; fixtures hold test images, not tests.
export default jestConfig(import.meta.dirname, {
  testPathIgnorePatterns: ['/fixtures/'],
  testTimeout: 60_000,
});
