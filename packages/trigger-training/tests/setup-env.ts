import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('trigger-training');
