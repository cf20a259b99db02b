import { useOfflineSdk } from '@sagemaker-pipeline/testing/env';

// Every SDK client in the tests talks to a stack on loopback with fake credentials, never to AWS; and checksums
// as the SDK computes them by default.
useOfflineSdk();
delete process.env.AWS_REQUEST_CHECKSUM_CALCULATION;
delete process.env.AWS_RESPONSE_CHECKSUM_VALIDATION;
