import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('evaluate-model');
