// When to refresh an access token: early enough that no request goes out with a token about to
// expire, late enough that a short-lived token is not refreshed in a loop.

/** Refresh this long before expiry, or at a third of the token's life when that is shorter. */
export const REFRESH_MARGIN_MS = 60_000;

/** Milliseconds from `now` until the refresh is due (0: refresh now). */
export function refreshDelay(expiresAt: number, issuedAt: number, now: number): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 3);
  return Math.max(0, expiresAt - margin - now);
}

/** Whether a token is too close to expiry to send. */
export function expiresSoon(expiresAt: number, issuedAt: number, now: number): boolean {
  return refreshDelay(expiresAt, issuedAt, now) === 0;
}

/**
 * One refresh at a time: concurrent callers share the running one. Two parallel refreshes
 * would present the same single-use refresh token twice, and the server treats the second as
 * reuse and ends every session of the user.
 */
export function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  return () => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };
}

/**
 * Refreshes from several tabs share one cookie; the Web Locks API makes them take turns so no
 * two present the same single-use token. Browsers without it run the refresh as is.
 */
export function acrossTabs<T>(run: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? (locks.request("beacon-refresh", run) as Promise<T>) : run();
}
