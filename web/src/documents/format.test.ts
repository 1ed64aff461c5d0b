import { describe, expect, it } from "vitest";

import { humanSize, typeName, waitWords } from "./format";

describe("format", () => {
  it("gives sizes in human units", () => {
    expect(humanSize(0)).toBe("0 bytes");
    expect(humanSize(1)).toBe("1 byte");
    expect(humanSize(1023)).toBe("1023 bytes");
    expect(humanSize(1024)).toBe("1 KB");
    expect(humanSize(1536)).toBe("1.5 KB");
    expect(humanSize(250 * 1024)).toBe("250 KB");
    expect(humanSize(3.25 * 1024 * 1024)).toBe("3.3 MB");
  });

  it("names types as people do", () => {
    expect(typeName("application/pdf")).toBe("PDF");
    expect(typeName("text/markdown; charset=utf-8")).toBe("Markdown");
    expect(typeName("application/x-unknown")).toBe("X-UNKNOWN");
  });

  it("says how long to wait", () => {
    expect(waitWords(42)).toBe("Try again in 42 s.");
    expect(waitWords(600)).toBe("Try again in 10 min.");
  });
});
