import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('evaluate-model', '123456789012');
