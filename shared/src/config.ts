/**
 * Configuration: one valibot schema per function over `process.env`, parsed once at cold start.
 * A missing or malformed variable fails with a ConfigError naming it; variable names are the
 * original pipeline's (SAGEMAKER_ROLE, S3_TRAINING_DATA_URI, ...). Defaults are given as the text a
 * variable would hold, and parsed like it. Each stage's schema lives in the stage (its src/config.ts),
 * made of these fields.
 */
export * from './config/fields.js';
export * from './config/load.js';
