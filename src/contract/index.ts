/**
 * The one typed contract between front ends (CLI, Electron IPC, the local HTTP/WebSocket mode)
 * and the main-process services: procedures, their inputs, outputs and events, the error
 * envelope, and the validation every message goes through. Pure: no Node, no DOM.
 */
export * from './wire.js';
export * from './executor.js';
export * from './events.js';
export * from './errors.js';
export * from './procedures.js';
export * from './validate.js';
