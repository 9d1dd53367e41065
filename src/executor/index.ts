export * from './types.js';
export * from './steps.js';
export * from './machine.js';
export * from './facts.js';
export * from './diff.js';
export * from './progress.js';
