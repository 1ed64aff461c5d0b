import { describe, expect, it } from "vitest";
import { expiresSoon, refreshDelay, singleFlight } from "./schedule";

describe("refreshDelay", () => {
  it("refreshes a fifteen-minute token one minute before it expires", () => {
    const issued = 0;
    const expires = 15 * 60_000;
    expect(refreshDelay(expires, issued, issued)).toBe(14 * 60_000);
  });

  it("refreshes a short token at two thirds of its life", () => {
    expect(refreshDelay(30_000, 0, 0)).toBe(20_000);
  });

  it("asks for a refresh at once when the token is already due", () => {
    expect(refreshDelay(60_000, 0, 59_000)).toBe(0);
    expect(expiresSoon(60_000, 0, 59_000)).toBe(true);
    expect(expiresSoon(15 * 60_000, 0, 0)).toBe(false);
  });
});

describe("singleFlight", () => {
  it("lets concurrent callers share one refresh", async () => {
    let calls = 0;
    let release!: (value: string) => void;
    const refresh = singleFlight(() => {
      calls += 1;
      return new Promise<string>((resolve) => (release = resolve));
    });
    const first = refresh();
    const second = refresh();
    release("token");
    expect(await first).toBe("token");
    expect(await second).toBe("token");
    expect(calls).toBe(1);
  });

  it("starts a new refresh once the previous one has settled, even after a failure", async () => {
    let calls = 0;
    const refresh = singleFlight(async () => {
      calls += 1;
      if (calls === 1) throw new Error("down");
      return calls;
    });
    await expect(refresh()).rejects.toThrow("down");
    expect(await refresh()).toBe(2);
  });
});
