import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('register-model');
