import { useStageEnv } from '@sagemaker-pipeline/testing/env';

useStageEnv('retrain-model', '000000000000');
