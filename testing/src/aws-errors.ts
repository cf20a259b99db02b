/** AWS's error answers as the SDK raises them, for the mocks of the unit and bad-input suites. */
import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';

/** A SageMaker client error as the SDK raises it (`name` is AWS's error code). */
export const sagemakerError = (name: string, message: string) =>
  new SageMakerServiceException({ name, message, $fault: 'client', $metadata: {} });

/** SageMaker's answer to DescribeEndpoint for an endpoint that does not exist: a ValidationException. */
export const missingEndpoint = (endpoint: string) =>
  sagemakerError('ValidationException', `Could not find endpoint "${endpoint}".`);
