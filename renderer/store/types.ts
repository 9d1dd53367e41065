import type { ClusterSlice } from './cluster.js';
import type { ConstraintsSlice } from './constraints.js';
import type { HistorySlice } from './history.js';
import type { PlanSlice } from './plan.js';
import type { RunSlice } from './run.js';
import type { UiSlice } from './ui.js';

/** The console's one store: every slice side by side (zustand's slices pattern). */
export type FerryState = ClusterSlice & ConstraintsSlice & UiSlice & PlanSlice & RunSlice & HistorySlice;
