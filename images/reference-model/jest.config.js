import { jestConfig } from '../../jest.base.js';

// The integration suite runs the image through the offline stack.
export default jestConfig(import.meta.dirname, { testTimeout: 60_000 });
