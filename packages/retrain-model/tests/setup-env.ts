import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('retrain-model');
