export { type CallableName, type FerryClient, type SubscriptionListener, type SubscriptionName, asFerryClient } from './client.js';
export { connectFromPage } from './connect.js';
export { type HttpClient, type HttpClientOptions, type SocketConstructor, type SocketLike, createHttpClient } from './http.js';
export { createIpcClient } from './ipc.js';
export { type InProcessServer, createLocalClient } from './local.js';
