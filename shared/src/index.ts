export * from './clients.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './middleware.js';
export * from './naming.js';
export * from './training.js';
