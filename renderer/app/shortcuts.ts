import { useEffect } from 'react';

import { useFerryStore } from '../store/index.js';
import { SCREENS, isEditable } from './commands.js';

/** How long `g` waits for its second key. */
const SEQUENCE_MS = 1200;

/**
 * Keyboard first: Ctrl-K or Ctrl-Shift-P opens the command palette; `g` then a screen's key
 * (g c, g i, g s, g p, g e, g h) or Alt+1…6 goes to a screen. Keys typed in a field or the editor
 * are text, except the palette's.
 */
export function useShortcuts(): void {
  const store = useFerryStore();
  useEffect(() => {
    let pendingG = 0;
    const onKey = (e: KeyboardEvent): void => {
      const state = store.getState();
      const key = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && ((key === 'k' && !e.shiftKey) || (key === 'p' && e.shiftKey))) {
        e.preventDefault();
        state.setPaletteOpen(true);
        return;
      }
      if (isEditable(e.target) || e.ctrlKey || e.metaKey) return;
      if (e.altKey && /^Digit[1-6]$/.test(e.code)) {
        const screen = SCREENS[Number(e.code.slice(5)) - 1];
        if (screen) {
          e.preventDefault();
          state.navigate(screen.route);
        }
        return;
      }
      if (e.altKey) return;
      if (pendingG > 0 && Date.now() - pendingG < SEQUENCE_MS) {
        pendingG = 0;
        const screen = SCREENS.find((s) => s.key === key);
        if (screen) {
          e.preventDefault();
          state.navigate(screen.route);
        }
        return;
      }
      pendingG = key === 'g' && !e.shiftKey ? Date.now() : 0;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
