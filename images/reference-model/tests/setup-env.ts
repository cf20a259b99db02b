import { useOfflineSdk } from '@sagemaker-pipeline/testing/env';

// Every SDK client in the tests talks to a stack on loopback with fake credentials, never to AWS.
useOfflineSdk();
