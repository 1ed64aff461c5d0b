import { describe, expect, it } from "vitest";
import { type Grant, type GrantResult, SessionManager } from "./manager";

const MINUTE = 60_000;

function grant(token: string, expiresAt: number): Grant {
  return {
    accessToken: token,
    accessTokenExpiresAt: new Date(expiresAt).toISOString(),
    user: { id: "u1", email: "ada@example.com", role: "USER", organization: { id: "o1", name: "Acme" } },
  };
}

/** A clock whose timers run when the test advances it. */
class ManualClock {
  time = 0;
  private timers = new Map<number, { at: number; run: () => void }>();
  private next = 1;
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, run });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  advance(ms: number) {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.run();
      }
    }
  }
}

function setUp(answers: (GrantResult | Error)[]) {
  const clock = new ManualClock();
  const calls = { refresh: 0, logout: [] as string[] };
  const transport = {
    async refresh(): Promise<GrantResult> {
      calls.refresh += 1;
      const answer = answers.shift();
      if (answer === undefined) throw new Error("no scripted answer left");
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async logout(token: string) {
      calls.logout.push(token);
    },
  };
  const session = new SessionManager(transport, clock, (run) => run());
  return { clock, calls, session };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("SessionManager", () => {
  it("restores the session from the refresh cookie after a reload", async () => {
    const { session } = setUp([{ ok: true, grant: grant("t1", 15 * MINUTE) }]);
    await session.restore();
    expect(session.getState()).toMatchObject({ status: "signedIn", user: { email: "ada@example.com" } });
    expect(session.currentToken()).toBe("t1");
  });

  it("shows the sign-in form without a message when there is no session to restore", async () => {
    const { session } = setUp([{ ok: false, code: "INVALID_REFRESH_TOKEN", message: "No token." }]);
    await session.restore();
    expect(session.getState()).toEqual({ status: "signedOut", reason: null });
  });

  it("refreshes quietly a minute before the access token expires", async () => {
    const { clock, calls, session } = setUp([{ ok: true, grant: grant("t2", 30 * MINUTE) }]);
    session.accept(grant("t1", 15 * MINUTE));
    clock.advance(13 * MINUTE);
    expect(calls.refresh).toBe(0);
    clock.advance(1 * MINUTE);
    await settle();
    expect(calls.refresh).toBe(1);
    expect(session.currentToken()).toBe("t2");
  });

  it("refreshes before sending a token that is about to expire", async () => {
    const { clock, session } = setUp([{ ok: true, grant: grant("t2", 30 * MINUTE) }]);
    session.accept(grant("t1", 15 * MINUTE));
    clock.time = 14.5 * MINUTE; // the timer was missed (a sleeping laptop)
    expect(await session.freshToken()).toBe("t2");
  });

  it("presents the refresh cookie once when many requests need a new token together", async () => {
    const { calls, session } = setUp([{ ok: true, grant: grant("t2", 30 * MINUTE) }]);
    session.accept(grant("t1", 15 * MINUTE));
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual([true, true, true]);
    expect(calls.refresh).toBe(1);
  });

  it("returns to sign-in with the reason when the account was deactivated", async () => {
    const { session } = setUp([{ ok: false, code: "ACCOUNT_DEACTIVATED", message: "Deactivated." }]);
    session.accept(grant("t1", 15 * MINUTE));
    expect(await session.refresh()).toBe(false);
    const state = session.getState();
    expect(state.status).toBe("signedOut");
    expect(state.status === "signedOut" && state.reason).toMatch(/deactivated/);
    expect(session.currentToken()).toBeNull();
  });

  it("keeps the session through a network failure and tries again", async () => {
    const { clock, calls, session } = setUp([
      new Error("offline"),
      { ok: true, grant: grant("t2", 30 * MINUTE) },
    ]);
    session.accept(grant("t1", 15 * MINUTE));
    expect(await session.refresh()).toBe(true);
    expect(session.getState().status).toBe("signedIn");
    clock.advance(5_000);
    await settle();
    expect(calls.refresh).toBe(2);
    expect(session.currentToken()).toBe("t2");
  });

  it("signs out on the server with the token it had", async () => {
    const { calls, session } = setUp([]);
    session.accept(grant("t1", 15 * MINUTE));
    await session.signOut();
    expect(calls.logout).toEqual(["t1"]);
    expect(session.getState()).toEqual({ status: "signedOut", reason: null });
  });
});
