/**
 * Configuration: one valibot schema per function over `process.env`, parsed once at cold start.
 * A missing or malformed variable fails with a ConfigError naming it; variable names are the
 * original pipeline's (SAGEMAKER_ROLE, S3_TRAINING_DATA_URI, ...). Defaults are given as the text a
 * variable would hold, and parsed like it. One module per function, so a bundle carries only its own
 * (the package is marked free of side effects).
 */
export * from './config/deploy-model.js';
export * from './config/evaluate-model.js';
export * from './config/fields.js';
export * from './config/load.js';
export * from './config/register-model.js';
export * from './config/retrain-model.js';
export * from './config/trigger-training.js';
