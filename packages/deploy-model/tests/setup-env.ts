import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('deploy-model');
