// The admin pages' filter choices, and the query variables they become.

export type Period = "day" | "week" | "month";

export const PERIODS: readonly { value: Period; label: string }[] = [
  { value: "day", label: "Last 24 hours" },
  { value: "week", label: "Last 7 days" },
  { value: "month", label: "Last 30 days" },
];

const PERIOD_MS: Record<Period, number> = {
  day: 24 * 3_600_000,
  week: 7 * 24 * 3_600_000,
  month: 30 * 24 * 3_600_000,
};

/**
 * The start of a period ending now, rounded down to the minute: the variables stay equal for a
 * minute, so re-renders reuse the cached result instead of asking again each time.
 */
export function periodStart(period: Period, now: Date): string {
  const start = new Date(now.getTime() - PERIOD_MS[period]);
  start.setUTCSeconds(0, 0);
  return start.toISOString();
}

export function isPeriod(value: string): value is Period {
  return value in PERIOD_MS;
}

/** The audit actions Beacon records (domain/audit), in the order an admin thinks of them. */
export const AUDIT_ACTIONS: readonly { value: string; label: string }[] = [
  { value: "user.login", label: "Signed in" },
  { value: "user.login_failed", label: "Sign-in failed" },
  { value: "user.logged_out", label: "Signed out" },
  { value: "user.password_changed", label: "Password changed" },
  { value: "user.created", label: "User created" },
  { value: "user.updated", label: "Role changed" },
  { value: "user.deactivated", label: "User deactivated" },
  { value: "user.reactivated", label: "User reactivated" },
  { value: "token.reuse_detected", label: "Refresh token reused" },
  { value: "question.asked", label: "Question asked" },
  { value: "document.uploaded", label: "Document uploaded" },
  { value: "document.deleted", label: "Document deleted" },
  { value: "document.reindexed", label: "Document reindexed" },
  { value: "organization.settings_updated", label: "Settings changed" },
];

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS.find((known) => known.value === action)?.label ?? action;
}

export interface AuditFilter {
  action: string; // "" for any
  actorId: string; // "" for anyone
  period: Period | "any";
}

export const ANY_AUDIT: AuditFilter = { action: "", actorId: "", period: "any" };

/** What the auditLog query is given: a filter left at "any" is left out. */
export function auditVariables(
  filter: AuditFilter,
  now: Date,
): { action: string | null; actorId: string | null; since: string | null } {
  return {
    action: filter.action || null,
    actorId: filter.actorId || null,
    since: filter.period === "any" ? null : periodStart(filter.period, now),
  };
}

export type RatingFilter = "" | "UP" | "DOWN";

export function ratingLabel(rating: "UP" | "DOWN"): string {
  return rating === "UP" ? "Helpful" : "Not helpful";
}
