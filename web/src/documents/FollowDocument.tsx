// Follows one unfinished document through documentEvents until it is READY or FAILED (the
// server then ends the subscription, and the row stops rendering this).

import { useEffect, useState } from "react";
import { useClient } from "urql";

import { readFragment } from "../graphql";
import { DocumentEventsSubscription, DocumentFields, type DocumentRow } from "./operations";

// After an error (a token that expired mid-stream, a server restart) the subscription is
// asked for again; the server answers with the document as it is now.
const RESUBSCRIBE_MS = 3000;

export function FollowDocument({
  id,
  admin,
  onChange,
  onGone,
}: {
  id: string;
  admin: boolean;
  onChange: (document: DocumentRow) => void;
  onGone: (id: string) => void;
}) {
  const client = useClient();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscription = client
      .subscription(DocumentEventsSubscription, { id, admin })
      .subscribe((result) => {
        const event = result.data?.documentEvents;
        if (event) onChange(readFragment(DocumentFields, event));
        else if (result.error) {
          // Deleted, or no longer visible: the row goes.
          if (result.error.graphQLErrors.some((error) => error.extensions?.code === "NOT_FOUND")) onGone(id);
          else timer = setTimeout(() => setAttempt((n) => n + 1), RESUBSCRIBE_MS);
        }
      });
    return () => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
  }, [client, id, admin, attempt, onChange, onGone]);
  return null;
}
