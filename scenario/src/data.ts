/** The reference image and its data set (Palmer penguins) as the life cycle scenario uses them. */
import { imageFolder, splits } from '@sagemaker-pipeline/reference-model';
import type { LifecycleData } from './lifecycle.js';

export function referenceData(): LifecycleData {
  const { train, evaluation, newData, holdout } = splits();
  return {
    train,
    evaluation,
    newData,
    holdout: {
      header: holdout.header,
      rows: holdout.features.map((row) => row.map(String)),
      labels: holdout.labels,
    },
  };
}

export const referenceImageFolder = imageFolder;
