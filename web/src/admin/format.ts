// Words for the admin tables: when something happened, how much, which role.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "just now", "3 minutes ago", "5 hours ago", "yesterday", "4 days ago"; from a week back, the
 * date itself: a relative "23 days ago" is harder to place than "10 Nov 2026".
 */
export function relativeTime(iso: string, now: Date, locale?: string): string {
  const then = new Date(iso);
  const elapsed = now.getTime() - then.getTime();
  const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (elapsed < MINUTE && elapsed > -MINUTE) return "just now";
  if (elapsed < 0) return formatDate(iso, locale);
  if (elapsed < HOUR) return words.format(-Math.floor(elapsed / MINUTE), "minute");
  if (elapsed < DAY) return words.format(-Math.floor(elapsed / HOUR), "hour");
  if (elapsed < 7 * DAY) return words.format(-Math.floor(elapsed / DAY), "day");
  return formatDate(iso, locale);
}

/** A date in the reader's locale, e.g. "3 Dec 2026". */
export function formatDate(iso: string, locale?: string): string {
  return new Date(iso).toLocaleDateString(locale, { day: "numeric", month: "short", year: "numeric" });
}

/** A full moment for a tooltip or a "since" line, e.g. "3 Dec 2026, 14:05". */
export function formatDateTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** "1 passage", "3 passages" (English plurals: the words around it are English too). */
export function plural(count: number, noun: string, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? noun : `${noun}s`}`;
}

export function roleLabel(role: "ADMIN" | "USER"): string {
  return role === "ADMIN" ? "Admin" : "User";
}

/** The start of an answer, cut at a word near `limit` characters. */
export function excerpt(text: string, limit = 220): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit);
  const space = cut.lastIndexOf(" ");
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** An audit event's details as "role: ADMIN, previousRole: USER"; null when there are none. */
export function detailsWords(details: unknown): string | null {
  if (details === null || details === undefined) return null;
  if (typeof details !== "object" || Array.isArray(details)) return JSON.stringify(details);
  const entries = Object.entries(details as Record<string, unknown>);
  if (entries.length === 0) return null;
  return entries
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}
