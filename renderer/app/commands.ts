import type { FerryState } from '../store/types.js';
import type { Route } from '../store/ui.js';

/**
 * What the command palette and the keyboard shortcuts can do. One list, so that a command has the
 * same name wherever it is offered.
 */
export interface Command {
  readonly id: string;
  readonly title: string;
  /** The keys shown next to it. */
  readonly keys?: string;
  run(state: FerryState): void;
}

export interface Screen {
  readonly route: Route;
  /** The navigation link's accessible name (part of the interface: keep it exactly). */
  readonly title: string;
  /** Second key after `g`. */
  readonly key: string;
}

export const SCREENS: readonly Screen[] = [
  { route: 'connect', title: 'Connect', key: 'c' },
  { route: 'inventory', title: 'Inventory', key: 'i' },
  { route: 'constraints', title: 'Constraints', key: 's' },
  { route: 'plan', title: 'Plan', key: 'p' },
  { route: 'execution', title: 'Execution', key: 'e' },
  { route: 'history', title: 'History', key: 'h' },
];

export const COMMANDS: readonly Command[] = [
  ...SCREENS.map((s, i) => ({ id: `go-${s.route}`, title: `Go to ${s.title}`, keys: `g ${s.key} · Alt+${i + 1}`, run: (state: FerryState) => state.navigate(s.route) })),
  { id: 'refresh', title: 'Read the cluster again', run: (state) => void state.refresh() },
  { id: 'format', title: 'Format the constraints script', run: (state) => void state.formatScript() },
  { id: 'theme', title: 'Switch light / dark theme', run: (state) => state.toggleTheme() },
];

/** Commands whose title contains every word typed, in list order. */
export function matchCommands(query: string, commands: readonly Command[] = COMMANDS): Command[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return commands.filter((c) => words.every((w) => c.title.toLowerCase().includes(w)));
}

/** True when keys typed there are the user's text, not shortcuts. */
export function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.closest('input, textarea, select, [contenteditable="true"], .cm-editor') !== null;
}
