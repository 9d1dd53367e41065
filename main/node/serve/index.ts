/**
 * Serve mode: the console's services behind a local HTTP + WebSocket server (127.0.0.1 only, a
 * token per launch), for a browser where the Electron app is not available. No Electron here.
 */
export { type ServeHandle, type ServeOptions, type RpcEndpoint, startServer } from './server.js';
export { contentSecurityPolicy, securityHeaders } from './headers.js';
export { RendererFiles, withStyleNonce } from './static.js';
export { Guard, newToken } from './guard.js';
export { PendingEndpoint } from './pending-endpoint.js';
