import { createHash } from 'node:crypto';
import { signV4 } from '../../src/sigv4.js';

describe('Function: signV4', () => {
  it('signs an InvokeEndpoint request as the AWS SDK does', () => {
    // Prepare: the expected signature was computed by @smithy/signature-v4 (the SDK's signer) for this request
    const body = '5.1,3.5\n';
    const headers = {
      'content-type': 'text/csv',
      accept: 'application/json',
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    };

    // Act
    const signed = signV4({
      method: 'POST',
      host: '127.0.0.1:4566',
      path: '/endpoints/mlpipe-local/invocations',
      headers,
      body,
      region: 'us-east-1',
      service: 'sagemaker',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      date: new Date('2015-08-30T12:36:00Z'),
    });

    // Assess
    expect(signed.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, ' +
        'SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, ' +
        'Signature=603f24c22755761f445ae6658393fa038532541ba194a7df4fbd7b67970bf9e1',
    );
    expect(signed['x-amz-date']).toBe('20150830T123600Z');
    expect(signed).not.toHaveProperty('host');
  });
});
