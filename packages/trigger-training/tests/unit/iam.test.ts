import { fileURLToPath } from 'node:url';
import {
  arn,
  describeStageTemplate,
  PASS_ROLE,
  sendToDeadLetters,
} from '@sagemaker-pipeline/testing/stage-template';

describeStageTemplate({
  stage: 'trigger-training',
  serviceDir: fileURLToPath(new URL('../..', import.meta.url)),
  role: {
    allows:
      'CreateTrainingJob and AddTags on the train- jobs of the pipeline, PassRole, its dead-letter queue and its logs',
    statements: [
      {
        Effect: 'Allow',
        Action: ['sagemaker:CreateTrainingJob', 'sagemaker:AddTags'],
        Resource: [arn('sagemaker', 'training-job/mlpipe-dev-train-*')],
      },
      PASS_ROLE,
      sendToDeadLetters('trigger-training'),
    ],
  },
  rules: {
    route: 'only successful pushes to the pipeline repository to the function',
    patterns: [
      {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['mlpipe-dev'] },
      },
    ],
  },
  deadLetters: {
    gaveUpOn: 'an image push',
    consequence: 'no training job was started for that image',
  },
});
