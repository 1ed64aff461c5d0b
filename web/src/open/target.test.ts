import { describe, expect, it } from "vitest";

import { openTarget, pageParam } from "./target";

describe("opening a cited document", () => {
  it("opens a PDF at its page", () => {
    expect(openTarget("/files/d1?sig=x", "application/pdf", 4)).toBe("/files/d1?sig=x#page=4");
  });

  it("opens other files, and PDFs without a page, as they are", () => {
    expect(openTarget("/files/d1?sig=x", "text/markdown", 4)).toBe("/files/d1?sig=x");
    expect(openTarget("/files/d1?sig=x", "application/pdf", null)).toBe("/files/d1?sig=x");
  });

  it("reads the page only when it is a whole number from 1", () => {
    expect(pageParam("2")).toBe(2);
    for (const bad of [null, "", "0", "-1", "1.5", "2abc", "x", "01"]) expect(pageParam(bad)).toBeNull();
  });
});
