export * from './data.js';
export * from './lifecycle.js';
export * from './progress.js';
export * from './report.js';
