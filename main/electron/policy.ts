/**
 * The Electron shell's decisions, as plain functions (no Electron import, so they are unit-tested):
 * which addresses are the app's, which links may open in the system browser, which IPC senders
 * are the app's window.
 */
import { APP_HOST, APP_SCHEME } from './channels.js';

/** The app's own pages: `app://ferry/…`, parsed, never matched as text (`app://ferry.evil/` is not). */
export function isAppUrl(raw: string): boolean {
  const url = parse(raw);
  return url !== undefined && url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
}

/** Sites a link in the console may open in the system browser (documentation); nothing else opens. */
export const EXTERNAL_ORIGINS: readonly string[] = ['https://github.com', 'https://btrplace.github.io', 'https://docs.minizinc.dev'];

export function isAllowedExternal(raw: string): boolean {
  const url = parse(raw);
  return url !== undefined && url.protocol === 'https:' && url.username === '' && url.password === '' && EXTERNAL_ORIGINS.includes(url.origin);
}

/** What ipc-binding.ts knows of a message's sender. */
export interface SenderFacts {
  /** The webContents id of the sender. */
  readonly senderId: number;
  /** Whether the frame that sent is its page's main frame (not an iframe). */
  readonly isMainFrame: boolean;
  /** The sending frame's address; undefined once the frame is gone. */
  readonly frameUrl: string | undefined;
}

/** An IPC message is served only from the app's window, its main frame, showing an app page. */
export function isTrustedSender(facts: SenderFacts, appWindowIds: ReadonlySet<number>): boolean {
  return appWindowIds.has(facts.senderId) && facts.isMainFrame && facts.frameUrl !== undefined && isAppUrl(facts.frameUrl);
}

function parse(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}
