// The app's handles on Beacon: the urql client, the session and the connection state.

import { type ReactNode, createContext, useContext, useSyncExternalStore } from "react";
import { Provider } from "urql";

import type { Beacon } from "../client";
import type { ConnectionState } from "../connection";
import type { SessionManager, SessionState, SessionUser } from "../session/manager";

const BeaconContext = createContext<Beacon | null>(null);

export function BeaconProvider({ beacon, children }: { beacon: Beacon; children: ReactNode }) {
  return (
    <BeaconContext.Provider value={beacon}>
      <Provider value={beacon.client}>{children}</Provider>
    </BeaconContext.Provider>
  );
}

function useBeacon(): Beacon {
  const beacon = useContext(BeaconContext);
  if (beacon === null) throw new Error("BeaconProvider is missing");
  return beacon;
}

export function useSessionManager(): SessionManager {
  return useBeacon().session;
}

export function useSessionState(): SessionState {
  const { session } = useBeacon();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user (only inside the signed-in part of the app). */
export function useUser(): SessionUser {
  const state = useSessionState();
  if (state.status !== "signedIn") throw new Error("useUser outside a session");
  return state.user;
}

export function useConnectionState(): ConnectionState {
  const { connection } = useBeacon();
  return useSyncExternalStore(connection.subscribe, connection.getState);
}
