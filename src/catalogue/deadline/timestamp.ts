import { MAX_ARGUMENT } from '../common/fields.js';

/**
 * A deadline timestamp, read by the ONE parser every face uses (the checker, the exact model, the
 * scheduling face, the argument validation). BtrPlace's CDeadline reads `"hh:mm:ss"`: with a
 * leading `+` it is relative to the start of the plan, otherwise a wall-clock time of day (rolled
 * over to tomorrow when already past). Ferry's short forms are delays from the plan start, with or
 * without the `+`: `m'ss` (as plans print times, `"+1'30"`), plain seconds (`"90"`), and `+m:ss`
 * (`"+0:05"`, five seconds). A two-field `m:ss` without `+` is refused: `"12:00"` reads as noon.
 */
export interface Deadline {
  readonly relative: boolean;
  /** seconds: from the plan start when relative, else since midnight */
  readonly seconds: number;
}

const FORMS = `"+hh:mm:ss" (after the plan starts), "hh:mm:ss" (wall-clock time), "+m'ss", "+m:ss" or a number of seconds`;

/** The deadline a timestamp gives, or one sentence saying why it is not one. */
export function readTimestamp(text: string): Deadline | { readonly error: string } {
  const trimmed = text.trim();
  const plus = trimmed.startsWith('+');
  const body = plus ? trimmed.slice(1) : trimmed;
  const refused = { error: `expected ${FORMS}, got ${JSON.stringify(text)}` };
  let m = /^(\d+):(\d{1,2}):(\d{1,2})$/.exec(body);
  if (m) {
    const [h, mm, ss] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!plus && h > 23) return { error: `the wall-clock time ${JSON.stringify(text)} has no hour ${h} (0 to 23; a delay starts with '+')` };
    return within(text, plus, mm >= 60 ? Number.NaN : h * 3600 + sexagesimal(mm, ss));
  }
  m = /^(\d+):(\d{2})$/.exec(body);
  if (m) {
    if (!plus) return { error: `${JSON.stringify(text)} is ambiguous: write a wall-clock time as "hh:mm:ss" or a delay as "+m:ss"` };
    return within(text, true, sexagesimal(Number(m[1]), Number(m[2])));
  }
  m = /^(\d+)'(\d{1,2})$/.exec(body);
  if (m) return within(text, true, sexagesimal(Number(m[1]), Number(m[2])));
  m = /^(\d+)$/.exec(body);
  if (m) return within(text, true, Number(m[1]));
  return refused;
}

/** `minutes * 60 + seconds`, or NaN when the seconds reach 60. */
function sexagesimal(minutes: number, seconds: number): number {
  return seconds >= 60 ? Number.NaN : minutes * 60 + seconds;
}

function within(text: string, relative: boolean, seconds: number): Deadline | { readonly error: string } {
  if (Number.isNaN(seconds)) return { error: `${JSON.stringify(text)}: minutes and seconds go from 00 to 59` };
  if (seconds > MAX_ARGUMENT) return { error: `${JSON.stringify(text)} is out of range: a deadline is at most ${MAX_ARGUMENT} s` };
  return { relative, seconds };
}

/**
 * The timestamp in BtrPlace's own form (`+h:mm:ss` or `hh:mm:ss`), meaning exactly what the one
 * parser read: what the scheduling face hands on, so the scheduler never reads a short form its
 * own way.
 */
export function canonicalTimestamp(d: Deadline): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(d.seconds / 3600);
  const body = `${d.relative ? h : two(h)}:${two(Math.floor(d.seconds / 60) % 60)}:${two(d.seconds % 60)}`;
  return d.relative ? `+${body}` : body;
}
