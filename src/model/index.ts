export * from './attributes.js';
export * from './elements.js';
export * from './mapping.js';
export * from './model.js';
export * from './naming.js';
export * from './resource.js';
