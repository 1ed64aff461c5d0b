// The signed-in session: the access token in memory, the refresh token in an httpOnly cookie the
// app cannot read. A reload restores the session through that cookie; a timer refreshes before
// expiry; a request refused as UNAUTHENTICATED refreshes once; when refreshing is no longer
// possible (signed out elsewhere, deactivated) the app returns to sign-in with the reason.

import { acrossTabs, refreshDelay, expiresSoon, singleFlight } from "./schedule";

export interface SessionUser {
  id: string;
  email: string;
  role: "ADMIN" | "USER";
  organization: { id: string; name: string };
}

export interface Grant {
  accessToken: string;
  accessTokenExpiresAt: string;
  user: SessionUser;
}

/** What a sign-in, sign-up or refresh answered: a grant, or why not. */
export type GrantResult =
  { ok: true; grant: Grant } | { ok: false; code: string; message: string; retryAfterSeconds?: number };

export type SessionState =
  | { status: "restoring" }
  | { status: "signedOut"; reason: string | null }
  | { status: "signedIn"; user: SessionUser };

/** The server calls the session needs (GraphQL in the app; scripted in tests). */
export interface SessionTransport {
  refresh(): Promise<GrantResult>;
  logout(accessToken: string): Promise<void>;
}

/** Why a session ended, in the words the sign-in form shows. */
export function endedReason(code: string): string {
  switch (code) {
    case "ACCOUNT_DEACTIVATED":
      return "Your account was deactivated. Ask an administrator to reactivate it.";
    case "SESSION_ENDED":
      return "You were signed out (from another window, or your password changed).";
    default:
      return "Your session has ended. Sign in again.";
  }
}

interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class SessionManager {
  private state: SessionState = { status: "restoring" };
  private token: { value: string; expiresAt: number; issuedAt: number } | null = null;
  private timer: unknown = null;
  private readonly listeners = new Set<() => void>();
  private readonly refreshOnce: () => Promise<boolean>;

  constructor(
    private readonly transport: SessionTransport,
    private readonly clock: Clock = realClock,
    private readonly exclusive: <T>(run: () => Promise<T>) => Promise<T> = acrossTabs,
  ) {
    this.refreshOnce = singleFlight(() => this.exclusive(() => this.runRefresh()));
  }

  /** The current state (stable between changes, for useSyncExternalStore). */
  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** On load: the refresh cookie, if any, brings the session back. */
  async restore(): Promise<void> {
    const result = await this.transport.refresh().catch(() => null);
    if (result?.ok) this.accept(result.grant);
    else this.setState({ status: "signedOut", reason: null });
  }

  /** A sign-in or sign-up answered with a grant. */
  accept(grant: Grant): void {
    const now = this.clock.now();
    const expiresAt = Date.parse(grant.accessTokenExpiresAt);
    this.token = { value: grant.accessToken, expiresAt, issuedAt: now };
    this.schedule();
    this.setState({ status: "signedIn", user: grant.user });
  }

  /** The token to send now, or null when signed out. */
  currentToken(): string | null {
    return this.token?.value ?? null;
  }

  /** Whether the token is too close to expiry to send (refresh first). */
  tokenExpiresSoon(): boolean {
    return this.token !== null && expiresSoon(this.token.expiresAt, this.token.issuedAt, this.clock.now());
  }

  /** A fresh token, refreshing first when the current one is about to expire. */
  async freshToken(): Promise<string | null> {
    if (this.tokenExpiresSoon()) await this.refresh();
    return this.currentToken();
  }

  /** Refresh now (shared with concurrent callers); false when the session has ended. */
  refresh(): Promise<boolean> {
    if (this.state.status !== "signedIn") return Promise.resolve(false);
    return this.refreshOnce();
  }

  /** Sign out here and on the server (every session of the user ends). */
  async signOut(): Promise<void> {
    const token = this.token?.value;
    this.end(null);
    if (token) await this.transport.logout(token).catch(() => undefined);
  }

  /** The session is over (the server said so): back to sign-in with the reason. */
  end(reason: string | null): void {
    this.token = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.setState({ status: "signedOut", reason });
  }

  private async runRefresh(): Promise<boolean> {
    let result: GrantResult;
    try {
      result = await this.transport.refresh();
    } catch {
      // Offline or the server is restarting: keep the session and try again shortly.
      this.schedule(5_000);
      return this.token !== null && this.token.expiresAt > this.clock.now();
    }
    if (this.state.status !== "signedIn") return false; // signed out while refreshing
    if (result.ok) {
      this.accept(result.grant);
      return true;
    }
    this.end(endedReason(result.code));
    return false;
  }

  private schedule(delay?: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.token === null) return;
    const due = delay ?? refreshDelay(this.token.expiresAt, this.token.issuedAt, this.clock.now());
    this.timer = this.clock.setTimeout(() => void this.refresh(), due);
  }

  private setState(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
