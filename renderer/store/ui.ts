import type { StateCreator } from 'zustand';

import type { FerryClient } from '../api/index.js';
import type { FerryState } from './types.js';

/**
 * What the console shows around the screens: the route, the theme, the command palette,
 * notifications and the background work listed in the status bar. Only the theme outlives a
 * reload (localStorage); everything else is rebuilt from the services' state.
 */

export const ROUTES = ['connect', 'inventory', 'constraints', 'plan', 'execution', 'history'] as const;
export type Route = (typeof ROUTES)[number];

export type Theme = 'light' | 'dark';
export const THEME_KEY = 'ferry.theme';

export type NotificationVariant = 'success' | 'info' | 'warning' | 'danger';

export interface Notification {
  readonly id: number;
  readonly variant: NotificationVariant;
  readonly title: string;
  readonly detail?: string;
}

/** Background work shown in the status bar (reading a cluster, solving, a running plan). */
export interface BackgroundTask {
  readonly id: string;
  readonly label: string;
  /** Where clicking it goes. */
  readonly route: Route;
  /** 0..1 when known. */
  readonly progress?: number;
}

export interface UiSlice {
  readonly route: Route;
  /** Goes to a screen (through the hash, so the browser's back button and links agree). */
  navigate(route: Route): void;
  /** Sets the route from the location's hash (the App listens to hashchange). */
  syncRoute(hash: string): void;

  readonly theme: Theme;
  setTheme(theme: Theme): void;
  toggleTheme(): void;

  readonly paletteOpen: boolean;
  setPaletteOpen(open: boolean): void;

  readonly notifications: readonly Notification[];
  notify(variant: NotificationVariant, title: string, detail?: string): void;
  dismiss(id: number): void;

  readonly tasks: readonly BackgroundTask[];
  /** Adds or replaces the task with this id. */
  startTask(task: BackgroundTask): void;
  endTask(id: string): void;
}

/** The route a hash names (`#/inventory`), or undefined. */
export function routeOfHash(hash: string): Route | undefined {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : undefined;
}

/** The stored choice, else what the system prefers. */
export function initialTheme(): Theme {
  if (typeof window === 'undefined') return 'light';
  try {
    const stored = window.localStorage.getItem(THEME_KEY);
    if (stored === 'light' || stored === 'dark') return stored;
  } catch {
    // storage refused (private mode): follow the system
  }
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** PatternFly 6 switches every token to its dark value under this class on <html>. */
export function applyTheme(theme: Theme): void {
  if (typeof document === 'undefined') return;
  document.documentElement.classList.toggle('pf-v6-theme-dark', theme === 'dark');
}

function persistTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(THEME_KEY, theme);
  } catch {
    // not persisted: the choice still holds for this session
  }
}

/** At most this many notifications are kept (the oldest go first). */
const MAX_NOTIFICATIONS = 5;

export function createUiSlice(_client: FerryClient): StateCreator<FerryState, [], [], UiSlice> {
  let nextId = 1;
  return (set, get) => ({
    route: (typeof window !== 'undefined' ? routeOfHash(window.location.hash) : undefined) ?? 'inventory',
    navigate: (route) => {
      set({ route });
      if (typeof window !== 'undefined' && routeOfHash(window.location.hash) !== route) window.location.hash = `#/${route}`;
    },
    syncRoute: (hash) => {
      const route = routeOfHash(hash);
      if (route && route !== get().route) set({ route });
    },

    theme: initialTheme(),
    setTheme: (theme) => {
      persistTheme(theme);
      applyTheme(theme);
      set({ theme });
    },
    toggleTheme: () => get().setTheme(get().theme === 'dark' ? 'light' : 'dark'),

    paletteOpen: false,
    setPaletteOpen: (paletteOpen) => set({ paletteOpen }),

    notifications: [],
    notify: (variant, title, detail) => {
      const n: Notification = { id: nextId++, variant, title, ...(detail === undefined ? {} : { detail }) };
      set({ notifications: [...get().notifications, n].slice(-MAX_NOTIFICATIONS) });
    },
    dismiss: (id) => set({ notifications: get().notifications.filter((n) => n.id !== id) }),

    tasks: [],
    startTask: (task) => set({ tasks: [...get().tasks.filter((t) => t.id !== task.id), task] }),
    endTask: (id) => set({ tasks: get().tasks.filter((t) => t.id !== id) }),
  });
}
