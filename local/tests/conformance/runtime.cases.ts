// SageMaker Runtime's InvokeEndpoint, on the endpoint prepareSageMaker puts in service.
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { casesOf, refused } from './case.js';
import { ENDPOINT } from './sagemaker.cases.js';

export const runtimeCases = casesOf('SageMaker Runtime', [
  [
    'InvokeEndpoint',
    "the model's answer, its content type and the variant that served it",
    async (c) => {
      const response = await c.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: ENDPOINT,
          Body: Buffer.from('1,2'),
          ContentType: 'text/csv',
        }),
      );
      expect(response).toMatchObject({
        ContentType: 'application/json',
        InvokedProductionVariant: 'AllTraffic',
      });
      expect(JSON.parse(Buffer.from(response.Body ?? []).toString('utf8'))).toMatchObject({ input: '1,2' });
    },
  ],
  [
    'InvokeEndpoint',
    "ModelError (424) with the model's own status for an input it refuses",
    async (c) => {
      await expect(
        c.runtime.send(
          new InvokeEndpointCommand({
            EndpointName: ENDPOINT,
            Body: Buffer.from('bad input'),
            ContentType: 'text/csv',
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ModelError',
        OriginalStatusCode: 400,
        $metadata: { httpStatusCode: 424 },
      });
    },
  ],
  [
    'InvokeEndpoint',
    'ValidationError (400) for an endpoint that does not exist',
    (c) =>
      refused(
        c.runtime.send(
          new InvokeEndpointCommand({ EndpointName: 'conformance-nowhere', Body: Buffer.from('1') }),
        ),
        'ValidationError',
        400,
      ),
  ],
]);
