/**
 * The accuracy this image is held to on the held-out penguins (default split and hyperparameters). Measured:
 * 0.957 on the 70 evaluation rows and 1.000 on the 30 holdout rows after the initial training; 0.957 and
 * 0.967 after retraining with the three new-data batches.
 */
export const ACCURACY_FLOOR = 0.9;
