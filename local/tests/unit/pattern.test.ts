import { InvalidEventPatternError, matchesPattern, validatePattern } from '../../src/events/pattern.js';
import { event, patternCases } from '../helpers/pattern-table.js';

describe('Function: matchesPattern', () => {
  it.each(patternCases)('%s', (_label, pattern, expected) => {
    // Act & Assess
    validatePattern(pattern);
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('matches the trigger-training pattern on an ECR push and not on a failed push', () => {
    // Prepare
    const pattern = {
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['churn-model'] },
    };
    const push = {
      source: 'aws.ecr',
      'detail-type': 'ECR Image Action',
      detail: { 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': 'churn-model' },
    };

    // Assess
    expect(matchesPattern(pattern, push)).toBe(true);
    expect(matchesPattern(pattern, { ...push, detail: { ...push.detail, result: 'FAILURE' } })).toBe(false);
  });

  it.each([
    ['a leaf that is not an array', { source: 'aws.ec2' }],
    ['an empty array', { source: [] }],
    ['an unknown operator', { source: [{ contains: 'x' }] }],
    ['a bad numeric operator', { detail: { n: [{ numeric: ['~', 1] }] } }],
    ['exists with a string', { detail: { n: [{ exists: 'yes' }] } }],
  ])('rejects %s', (_label, pattern) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
  });
});
