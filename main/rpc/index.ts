/**
 * The RPC layer: the one handler table over the main-process services, which every transport
 * (Electron IPC, the local HTTP/WebSocket mode) mounts unchanged.
 */
export { type CallableName, type EventFor, type RpcOptions, type RpcServer, type RpcServices, type SubscriptionName, type ValueOf, createHandlers } from './handlers.js';
export { type EventListener, type EventOf, type HeldPlan, touchedSteps } from './session.js';
