// The upload queue: files wait their turn, a few upload at once, and each ends in words a
// person can read (done, duplicate, refused with the reason, or failed to reach Beacon).
// No React here: the page reads snapshots through subscribe/getItems (useSyncExternalStore).

/** How one upload ended, as the page needs it (see uploadOutcome in operations.ts). */
export type UploadOutcome<D> =
  | { kind: "done"; document: D; note?: string }
  | { kind: "duplicate"; document: D }
  | { kind: "refused"; reason: string; retryAfterSeconds?: number };

export type UploadState<D> =
  | { kind: "waiting" }
  | { kind: "uploading" }
  | { kind: "done"; document: D; note?: string }
  | { kind: "duplicate"; document: D }
  | { kind: "refused"; reason: string; retryAfterSeconds?: number }
  | { kind: "failed"; reason: string };

export interface UploadItem<F, V, D> {
  /** Stable within the queue, for React keys and retry. */
  readonly key: number;
  readonly file: F;
  readonly visibility: V;
  readonly state: UploadState<D>;
}

export type Send<F, V, D> = (file: F, visibility: V) => Promise<UploadOutcome<D>>;

export interface UploadQueueOptions {
  /** Uploads in flight at once. */
  concurrency?: number;
}

const FINISHED = new Set(["done", "duplicate", "refused", "failed"]);

export function isFinished(state: UploadState<unknown>): boolean {
  return FINISHED.has(state.kind);
}

export class UploadQueue<F, V, D> {
  private items: readonly UploadItem<F, V, D>[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly concurrency: number;
  private nextKey = 1;
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: Send<F, V, D>,
    options: UploadQueueOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 3);
  }

  /** The items in the order they were added; a new array after every change. */
  getItems = (): readonly UploadItem<F, V, D>[] => this.items;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Queue files; they start in the order given, as slots free up. */
  add(files: Iterable<F>, visibility: V): void {
    const added = [...files].map((file) => ({
      key: this.nextKey++,
      file,
      visibility,
      state: { kind: "waiting" } as UploadState<D>,
    }));
    if (added.length === 0) return;
    this.items = [...this.items, ...added];
    this.emit();
    this.pump();
  }

  /** Queue a refused or failed upload again, at the back of the line. */
  retry(key: number): void {
    const item = this.items.find((candidate) => candidate.key === key);
    if (!item || (item.state.kind !== "refused" && item.state.kind !== "failed")) return;
    this.items = [
      ...this.items.filter((candidate) => candidate.key !== key),
      { ...item, state: { kind: "waiting" } },
    ];
    this.emit();
    this.pump();
  }

  /** Forget the uploads that have ended (the list shows only what is still news). */
  clearFinished(): void {
    const kept = this.items.filter((item) => !isFinished(item.state));
    if (kept.length === this.items.length) return;
    this.items = kept;
    this.emit();
  }

  /** Resolves once nothing waits and nothing is in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.active === 0 && !this.items.some((item) => item.state.kind === "waiting");
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const next = this.items.find((item) => item.state.kind === "waiting");
      if (!next) break;
      this.active += 1;
      this.update(next.key, { kind: "uploading" });
      void this.run(next);
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async run(item: UploadItem<F, V, D>): Promise<void> {
    let state: UploadState<D>;
    try {
      state = await this.send(item.file, item.visibility);
    } catch (error) {
      // One file's trouble (a dropped connection, a server error) never stops the others.
      state = { kind: "failed", reason: describe(error) };
    }
    this.active -= 1;
    this.update(item.key, state);
    this.pump();
  }

  private update(key: number, state: UploadState<D>): void {
    this.items = this.items.map((item) => (item.key === key ? { ...item, state } : item));
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

function describe(error: unknown): string {
  const detail = error instanceof Error && error.message ? ` (${error.message})` : "";
  return `The upload did not reach Beacon${detail}. Check your connection and retry.`;
}
