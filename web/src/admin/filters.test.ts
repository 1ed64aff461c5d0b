import { describe, expect, it } from "vitest";

import { ANY_AUDIT, actionLabel, auditVariables, periodStart } from "./filters";

const now = new Date("2026-12-03T15:04:37.512Z");

describe("periodStart", () => {
  it("goes back the period's length, rounded down to the minute", () => {
    expect(periodStart("day", now)).toBe("2026-12-02T15:04:00.000Z");
    expect(periodStart("week", now)).toBe("2026-11-26T15:04:00.000Z");
    expect(periodStart("month", now)).toBe("2026-11-03T15:04:00.000Z");
  });

  it("stays the same within a minute, so the query is not asked again", () => {
    const later = new Date(now.getTime() + 10_000);
    expect(periodStart("day", later)).toBe(periodStart("day", now));
  });
});

describe("auditVariables", () => {
  it("leaves every filter out when nothing is chosen", () => {
    expect(auditVariables(ANY_AUDIT, now)).toEqual({ action: null, actorId: null, since: null });
  });

  it("passes the chosen action, person and period start", () => {
    expect(auditVariables({ action: "user.deactivated", actorId: "42", period: "day" }, now)).toEqual({
      action: "user.deactivated",
      actorId: "42",
      since: "2026-12-02T15:04:00.000Z",
    });
  });
});

describe("actionLabel", () => {
  it("names known actions in words and keeps unknown ones as they are", () => {
    expect(actionLabel("user.login_failed")).toBe("Sign-in failed");
    expect(actionLabel("something.new")).toBe("something.new");
  });
});
