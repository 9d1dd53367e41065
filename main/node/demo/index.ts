/** The demo cluster: a simulated hypervisor fleet behind Ferry's provider ports. */
export { DEMO_DURATIONS, DEMO_LINK_GBPS, MAINTENANCE_HOST, defaultFleet } from './fleet.js';
export {
  ACTIONS_LOG,
  DEFAULT_OVERBOOK,
  DemoEngine,
  type DemoEngineOptions,
  type DemoFault,
  type DemoJob,
  type DemoJobKind,
  type DemoJobStatus,
  type DemoLogEntry,
  type DemoSnapshot,
  type DemoStart,
  HOST_DOWN_ERROR,
  STATE_FILE,
  demoSpeed,
  describeAction,
  migrationMs,
  readActionsLog,
} from './engine.js';
export { type DemoEffectorOptions, demoEffector, demoProvider, rehearsalCopy } from './provider.js';
