// Whether the app can reach Beacon: the browser's own online flag and the subscription socket.
// The banner reads it; urql and graphql-ws do the reconnecting.

export type ConnectionState = "online" | "offline";

export class ConnectionMonitor {
  private state: ConnectionState =
    typeof navigator !== "undefined" && !navigator.onLine ? "offline" : "online";
  private readonly listeners = new Set<() => void>();

  constructor() {
    if (typeof window !== "undefined") {
      window.addEventListener("offline", () => this.set("offline"));
      window.addEventListener("online", () => this.set("online"));
    }
  }

  getState = (): ConnectionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
