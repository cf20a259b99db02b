import fc from 'fast-check';
import { namePrefix, resourceName, SAGEMAKER_NAME, SAGEMAKER_NAME_MAX, sanitize } from '../../src/naming.js';

const anyPart = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '_', '__', '-', '---', 'my_pipeline', 'é', '模型', '🚀'),
);
const longPipeline = fc.string({ minLength: 150, maxLength: 200 });
const pipeline = fc.oneof(anyPart, longPipeline, fc.constant('a'.repeat(200)));

describe('Function: resourceName', () => {
  it('always returns a SageMaker-valid name of at most 63 characters', () => {
    fc.assert(
      fc.property(pipeline, anyPart, fc.string(), (p, kind, key) => {
        const name = resourceName(p, kind, key);
        expect(name.length).toBeLessThanOrEqual(SAGEMAKER_NAME_MAX);
        expect(name).toMatch(SAGEMAKER_NAME);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives the same name for the same inputs', () => {
    fc.assert(
      fc.property(pipeline, anyPart, fc.string(), (p, kind, key) => {
        expect(resourceName(p, kind, key)).toBe(resourceName(p, kind, key));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives different names for different keys, even when a long pipeline name is truncated', () => {
    fc.assert(
      fc.property(pipeline, anyPart, fc.string(), fc.string(), (p, kind, a, b) => {
        fc.pre(a !== b);
        expect(resourceName(p, kind, a)).not.toBe(resourceName(p, kind, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives different names for pipelines that differ only after the truncation point', () => {
    const base = 'p'.repeat(120);
    expect(resourceName(`${base}-one`, 'train', 'k')).not.toBe(resourceName(`${base}-two`, 'train', 'k'));
  });

  it('keeps the readable pipeline and kind prefix when they fit', () => {
    const name = resourceName('churn', 'eval', 'churn-train-0123456789ab');
    expect(name.startsWith(namePrefix('churn', 'eval'))).toBe(true);
    expect(name).toMatch(/^churn-eval-[0-9a-f]{12}$/);
  });

  it('honours a smaller maximum length', () => {
    fc.assert(
      fc.property(pipeline, anyPart, fc.string(), fc.integer({ min: 13, max: 63 }), (p, kind, key, max) => {
        const name = resourceName(p, kind, key, max);
        expect(name.length).toBeLessThanOrEqual(max);
        expect(name).toMatch(SAGEMAKER_NAME);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Function: sanitize', () => {
  it('keeps letters and digits and collapses everything else into single inner hyphens', () => {
    expect(sanitize('__My_Pipeline__v2!!')).toBe('My-Pipeline-v2');
    expect(sanitize('café')).toBe('cafe');
    expect(sanitize('模型')).toBe('');
  });
});
