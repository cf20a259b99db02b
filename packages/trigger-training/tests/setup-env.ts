import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('trigger-training', '123456789012');
