import { Alert, AlertActionCloseButton, AlertGroup } from '@patternfly/react-core';
import { type ReactNode, useEffect, useState } from 'react';

import type { Notification } from '../store/ui.js';
import { shown } from './text.js';

/** How long a toast other than an error stays (PatternFly pauses it while hovered or focused). */
export const TOAST_TIMEOUT_MS = 8000;

/** At most this many toasts at once; the others wait behind "and N more". */
export const MAX_TOASTS_SHOWN = 3;

/** The CSS variable holding the toasts' height, the room the screen keeps under its content (app.css). */
export const TOASTS_ROOM_VARIABLE = '--ferry-toasts-room';

/**
 * Success, info and warnings (the console's warnings are nudges: "compute a plan first") go by
 * themselves; errors stay until the operator closes them.
 */
export function toastTimeout(variant: Notification['variant']): number | false {
  return variant === 'danger' ? false : TOAST_TIMEOUT_MS;
}

export interface ToastsProps {
  /** Oldest first, as the store keeps them. */
  readonly notifications: readonly Notification[];
  onDismiss(id: number): void;
}

/**
 * The console's notifications, bottom right above the status bar (app.css): the newest
 * MAX_TOASTS_SHOWN, then "and N more" to show them all. Each has a close button named after it.
 * The toasts' height is kept as room under the screen's content, so the last rows of a table
 * scroll above them rather than under them.
 */
export function Toasts({ notifications, onDismiss }: ToastsProps): ReactNode {
  const [showAll, setShowAll] = useState(false);
  const overflowing = notifications.length > MAX_TOASTS_SHOWN;
  // once the pile is small again, the next pile starts folded
  useEffect(() => {
    if (!overflowing) setShowAll(false);
  }, [overflowing]);
  const visible = showAll ? notifications : notifications.slice(-MAX_TOASTS_SHOWN);
  const hidden = notifications.length - visible.length;
  useToastsRoom(visible.length);
  return (
    <AlertGroup
      isToast
      isLiveRegion
      className="ferry-toasts"
      aria-label="Notifications"
      overflowMessage={hidden > 0 ? `and ${hidden} more` : ''}
      onOverflowClick={() => setShowAll(true)}
    >
      {visible.map((n) => {
        const title = shown(n.title);
        return (
          <Alert
            key={n.id}
            variant={n.variant}
            title={title}
            timeout={toastTimeout(n.variant)}
            onTimeout={() => onDismiss(n.id)}
            actionClose={<AlertActionCloseButton aria-label={`Close notification: ${title}`} onClose={() => onDismiss(n.id)} />}
          >
            {n.detail === undefined ? null : shown(n.detail)}
          </Alert>
        );
      })}
    </AlertGroup>
  );
}

/**
 * Follows the toast column's height (PatternFly portals it to <body>, so it is found by its class)
 * into TOASTS_ROOM_VARIABLE on <html>; 0 without toasts.
 */
function useToastsRoom(count: number): void {
  useEffect(() => {
    const style = document.documentElement.style;
    const group = count === 0 ? null : document.querySelector<HTMLElement>('.ferry-toasts');
    const measure = (): void => style.setProperty(TOASTS_ROOM_VARIABLE, `${group === null ? 0 : Math.ceil(group.getBoundingClientRect().height)}px`);
    measure();
    if (group === null || typeof ResizeObserver === 'undefined') return () => style.setProperty(TOASTS_ROOM_VARIABLE, '0px');
    const observer = new ResizeObserver(measure);
    observer.observe(group);
    return () => {
      observer.disconnect();
      style.setProperty(TOASTS_ROOM_VARIABLE, '0px');
    };
  }, [count]);
}
