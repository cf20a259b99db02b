import { existsSync } from 'node:fs';
import path from 'node:path';
import { imageFolder } from '../../src/index.js';

describe('Function: imageFolder', () => {
  it('is the folder with image.json and the Dockerfile, ready to push', () => {
    // Act
    const folder = imageFolder();

    // Assess
    expect(path.basename(folder)).toBe('reference-model');
    expect(existsSync(path.join(folder, 'image.json'))).toBe(true);
    expect(existsSync(path.join(folder, 'Dockerfile'))).toBe(true);
  });
});
