// Tests render components to markup with react-dom/server (they run without a DOM), inside a
// Beacon whose server never answers: what a component shows before any request comes back.
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Client } from "urql";
import { never } from "wonka";

import { BeaconProvider } from "../app/beacon";
import { ConnectionMonitor } from "../connection";
import { SessionManager } from "../session/manager";

export function renderMarkup(page: ReactNode): string {
  const client = new Client({ url: "http://beacon.test/graphql", exchanges: [() => () => never] });
  const session = new SessionManager({
    refresh: async () => ({ ok: false, code: "INVALID_REFRESH_TOKEN", message: "No token." }),
    logout: async () => undefined,
  });
  const connection = new ConnectionMonitor();
  return renderToStaticMarkup(
    <BeaconProvider beacon={{ client, session, connection }}>{page}</BeaconProvider>,
  );
}

/** Text as React writes it into markup (the sentences carry apostrophes and quotes). */
export function markupText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/'/g, "&#x27;")
    .replace(/"/g, "&quot;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}
