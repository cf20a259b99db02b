import { ResourceInUse, ResourceNotFound, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { awsErrorName, ConfigError, isRetryable, RetryableError, TerminalError } from '../../src/errors.js';

describe('Function: isRetryable', () => {
  it('retries throttling, server faults, network faults and our own retryable errors', () => {
    const throttled = new SageMakerServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(isRetryable(throttled)).toBe(true);
    expect(isRetryable(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new RetryableError('endpoint is Updating'))).toBe(true);
  });

  it('does not retry client faults, terminal and configuration errors, or non-errors', () => {
    expect(isRetryable(new ResourceNotFound({ message: 'gone', $metadata: { httpStatusCode: 400 } }))).toBe(
      false,
    );
    expect(isRetryable(new TerminalError('training failed'))).toBe(false);
    expect(isRetryable(new ConfigError('bad'))).toBe(false);
    expect(isRetryable('boom')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe('Function: awsErrorName', () => {
  it('returns the SDK exception name', () => {
    expect(awsErrorName(new ResourceInUse({ message: 'exists', $metadata: {} }))).toBe('ResourceInUse');
    expect(awsErrorName(42)).toBeUndefined();
  });
});
