import { describe, expect, it } from "vitest";

import { detailsWords, excerpt, plural, relativeTime } from "./format";

const now = new Date("2026-12-03T15:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const MINUTE = 60_000;

describe("relativeTime", () => {
  it("says just now for the last minute", () => {
    expect(relativeTime(ago(20_000), now, "en")).toBe("just now");
  });

  it("counts minutes, then hours, then days", () => {
    expect(relativeTime(ago(3 * MINUTE), now, "en")).toBe("3 minutes ago");
    expect(relativeTime(ago(5 * 60 * MINUTE + 10 * MINUTE), now, "en")).toBe("5 hours ago");
    expect(relativeTime(ago(26 * 60 * MINUTE), now, "en")).toBe("yesterday");
    expect(relativeTime(ago(4 * 24 * 60 * MINUTE), now, "en")).toBe("4 days ago");
  });

  it("gives the date from a week back", () => {
    expect(relativeTime("2026-11-10T09:00:00Z", now, "en-GB")).toBe("10 Nov 2026");
  });

  it("gives the date for a moment ahead of the clock (a skewed server)", () => {
    expect(relativeTime("2026-12-05T09:00:00Z", now, "en-GB")).toBe("5 Dec 2026");
  });
});

describe("excerpt", () => {
  it("keeps a short answer whole, on one line", () => {
    expect(excerpt("Leave is\n25 days.")).toBe("Leave is 25 days.");
  });

  it("cuts a long answer at a word and marks the cut", () => {
    const cut = excerpt("word ".repeat(100), 22);
    expect(cut).toBe("word word word word…");
  });
});

describe("detailsWords", () => {
  it("lists an event's details as key: value", () => {
    expect(detailsWords({ role: "ADMIN", previousRole: "USER" })).toBe("role: ADMIN, previousRole: USER");
    expect(detailsWords({ version: 2, organizationCreated: true })).toBe(
      "version: 2, organizationCreated: true",
    );
  });

  it("says nothing when there is nothing", () => {
    expect(detailsWords(null)).toBeNull();
    expect(detailsWords({})).toBeNull();
  });
});

describe("plural", () => {
  it("counts one thing and many things", () => {
    expect(plural(1, "passage", "en")).toBe("1 passage");
    expect(plural(0, "vector", "en")).toBe("0 vectors");
    expect(plural(1200, "vector", "en")).toBe("1,200 vectors");
  });
});
