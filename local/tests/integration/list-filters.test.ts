/**
 * The List operations refuse filters AWS refuses: a StatusEquals outside the resource's statuses is a
 * ValidationException naming the allowed set (the SDK sends any string), and a NameContains that is no string
 * (only a raw request can send one) is a SerializationException, not a server error.
 */
import {
  ListEndpointsCommand,
  ListProcessingJobsCommand,
  ListTrainingJobsCommand,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { useTestStack } from '../helpers/stack.js';

const scope =
  'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=abc';

describe('SageMaker: List filters as AWS validates them', () => {
  const t = useTestStack();

  it.each([
    ['ListTrainingJobs', () => new ListTrainingJobsCommand({ StatusEquals: 'Bogus' as never }), 'Stopped'],
    [
      'ListProcessingJobs',
      () => new ListProcessingJobsCommand({ StatusEquals: 'Bogus' as never }),
      'Stopping',
    ],
    [
      'ListEndpoints',
      () => new ListEndpointsCommand({ StatusEquals: 'Bogus' as never }),
      'UpdateRollbackFailed',
    ],
  ])(
    '%s refuses StatusEquals Bogus with a ValidationException naming the statuses',
    async (_name, command, status) => {
      const call = t.sagemaker.send(command() as ListTrainingJobsCommand);

      await expect(call).rejects.toBeInstanceOf(SageMakerServiceException);
      await expect(call).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining(`Member must satisfy enum value set: [`),
        $metadata: { httpStatusCode: 400 },
      });
      await expect(call).rejects.toThrow(status);
    },
  );

  it('still filters by a status it knows', async () => {
    await expect(
      t.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Completed' })),
    ).resolves.toMatchObject({
      TrainingJobSummaries: [],
    });
  });

  it('answers a NameContains that is no string with a SerializationException, not a 500', async () => {
    const response = await fetch(`${t.stack.endpoint}/`, {
      method: 'POST',
      headers: {
        authorization: scope,
        'x-amz-target': 'SageMaker.ListTrainingJobs',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: JSON.stringify({ NameContains: 42 }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });
});
