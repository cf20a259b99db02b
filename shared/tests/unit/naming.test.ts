import fc from 'fast-check';
import * as v from 'valibot';
import { pipelineName } from '../../src/config/fields.js';
import {
  isPipelineResource,
  NAME_KINDS,
  namePrefix,
  pipelineResourceForm,
  RESERVED_PIPELINE_WORDS,
  reservedWordIn,
  resourceName,
  SAGEMAKER_NAME,
  SAGEMAKER_NAME_MAX,
  sanitize,
} from '../../src/naming.js';

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

/** Pipeline names PIPELINE_NAME accepts: up to 32 characters of single-hyphen-separated words, no kind word. */
const validPipeline = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), { minLength: 1, maxLength: 8 })
  .map((words) => words.join('-').slice(0, 32).replace(/-+$/, ''))
  .filter((name) => v.is(pipelineName(), name));

describe('Function: isPipelineResource', () => {
  it('accepts every name resourceName derives for the pipeline and kind: a valid pipeline name is never truncated', () => {
    fc.assert(
      fc.property(validPipeline, fc.constantFrom(...NAME_KINDS), fc.string(), (p, kind, key) => {
        const name = resourceName(p, kind, key);
        expect(name.startsWith(namePrefix(p, kind))).toBe(true);
        expect(isPipelineResource(name, p, kind)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the longest pipeline name with the longest kind whole, within 63 characters', () => {
    const longest = `${'p'.repeat(15)}-${'q'.repeat(16)}`;
    expect(v.is(pipelineName(), longest)).toBe(true);

    const name = resourceName(longest, 'endpoint-config', 'key');

    expect(name).toMatch(new RegExp(`^${longest}-endpoint-config-[0-9a-f]{12}$`));
    expect(name.length).toBeLessThanOrEqual(SAGEMAKER_NAME_MAX);
    expect(isPipelineResource(name, longest, 'endpoint-config')).toBe(true);
  });

  it("refuses another pipeline's names, even one whose name extends this pipeline's", () => {
    const hash = '226ba9db57e7';
    expect(isPipelineResource(`mlpipe-dev-train-${hash}`, 'mlpipe-dev', 'train')).toBe(true);
    for (const name of [
      `mlpipe-dev-2-train-${hash}`,
      `mlpipe-dev-2-retrain-${hash}`,
      `mlpipe-devx-train-${hash}`,
      `xmlpipe-dev-train-${hash}`,
      `mlpipe-train-${hash}`,
      `MLPIPE-DEV-train-${hash}`,
    ]) {
      expect(isPipelineResource(name, 'mlpipe-dev', ['train', 'retrain'])).toBe(false);
    }
  });

  it('refuses names of another kind, names without the 12 hex digits of the hash, and longer names', () => {
    const hash = '226ba9db57e7';
    expect(isPipelineResource(`mlpipe-dev-eval-${hash}`, 'mlpipe-dev', ['train', 'retrain'])).toBe(false);
    expect(isPipelineResource(`mlpipe-dev-train-${hash}`, 'mlpipe-dev', 'eval')).toBe(false);
    for (const name of [
      'mlpipe-dev-train-',
      'mlpipe-dev-train-226ba9db57e',
      'mlpipe-dev-train-226ba9db57e7a',
      'mlpipe-dev-train-226BA9DB57E7',
      'mlpipe-dev-train-226ba9db57eg',
      `mlpipe-dev-train-2-${hash}`,
      `mlpipe-dev-train-${hash}-2`,
      `mlpipe-dev-retrain-${'a'.repeat(44)}`,
    ]) {
      expect(isPipelineResource(name, 'mlpipe-dev', ['train', 'retrain'])).toBe(false);
    }
  });

  it('describes the names it accepts, for skip reasons', () => {
    expect(pipelineResourceForm('mlpipe-dev', ['train', 'retrain'])).toBe(
      'mlpipe-dev-train-<12 hex digits> or mlpipe-dev-retrain-<12 hex digits>',
    );
    expect(pipelineResourceForm('mlpipe-dev', 'eval')).toBe('mlpipe-dev-eval-<12 hex digits>');
  });
});

describe('Function: reservedWordIn', () => {
  it('reserves the first word of every kind', () => {
    expect(RESERVED_PIPELINE_WORDS).toEqual(['train', 'retrain', 'eval', 'model', 'endpoint']);
  });

  it.each([
    ['mlpipe-train', 'train'],
    ['mlpipe-train-x', 'train'],
    ['train-dev', 'train'],
    ['mlpipe-Retrain', 'retrain'],
    ['a-eval', 'eval'],
    ['mlpipe-model-2', 'model'],
    ['mlpipe-endpoint', 'endpoint'],
  ])('finds a reserved word in %s', (pipeline, word) => {
    expect(reservedWordIn(pipeline)).toBe(word);
  });

  it.each(['mlpipe-dev', 'mlpipe-dev-2', 'trainer', 'mlpipe-models', 'evaluation', 'endpoints-x', 'config'])(
    'finds none in %s, whose words at most contain one',
    (pipeline) => {
      expect(reservedWordIn(pipeline)).toBeUndefined();
    },
  );

  it("is what keeps a pipeline's names out of another's prefix: mlpipe-dev-train would be inside mlpipe-dev-train-", () => {
    expect(resourceName('mlpipe-dev-train', 'model', 'k').startsWith(namePrefix('mlpipe-dev', 'train'))).toBe(
      true,
    );
    expect(v.is(pipelineName(), 'mlpipe-dev-train')).toBe(false);
  });

  it("leaves no valid pipeline whose names start with another valid pipeline's <pipeline>-<kind>- prefix", () => {
    // Pairs where one name extends the other, the only way one prefix can hold the other's names.
    const words = fc.constantFrom('2', 'x', 'dev', 'config', 'trainer', ...RESERVED_PIPELINE_WORDS);
    const pairs = fc
      .tuple(validPipeline, fc.array(words, { minLength: 1, maxLength: 3 }))
      .map(([p, extra]) => [p, `${p}-${extra.join('-')}`] as const)
      .filter(([, q]) => v.is(pipelineName(), q));
    fc.assert(
      fc.property(
        pairs,
        fc.constantFrom(...NAME_KINDS),
        fc.constantFrom(...NAME_KINDS),
        fc.string(),
        ([p, q], kind, otherKind, key) => {
          expect(resourceName(q, otherKind, key).startsWith(namePrefix(p, kind))).toBe(false);
          expect(resourceName(p, otherKind, key).startsWith(namePrefix(q, kind))).toBe(false);
          expect(isPipelineResource(resourceName(q, otherKind, key), p, NAME_KINDS)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
