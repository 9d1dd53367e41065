/**
 * A deadline timestamp. BtrPlace's CDeadline reads `"hh:mm:ss"`: with a leading `+` it is relative
 * to the start of the plan, otherwise it is a wall-clock time of day (rolled over to tomorrow when
 * already past). Ferry also reads the short forms `m'ss` and plain seconds (`"+0'30"`, `"+30"`).
 */
export interface Deadline {
  readonly relative: boolean;
  /** seconds: from the plan start when relative, else since midnight */
  readonly seconds: number;
}

export function parseTimestamp(text: string): Deadline | null {
  const relative = text.startsWith('+');
  const body = relative ? text.slice(1) : text;
  let m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(body);
  if (m) return { relative, seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) };
  m = /^(\d+)'(\d{1,2})$/.exec(body);
  if (m) return { relative, seconds: Number(m[1]) * 60 + Number(m[2]) };
  m = /^(\d+)$/.exec(body);
  if (m) return { relative, seconds: Number(m[1]) };
  return null;
}
