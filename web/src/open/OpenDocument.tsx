// /open/<documentId>?page=N, where a citation leads: asks Beacon for a fresh signed link (a
// signed link expires, a citation must not) and replaces this tab's address with it.

import { useEffect } from "react";
import { useParams, useSearchParams } from "react-router";
import { useQuery } from "urql";

import { graphql } from "../graphql";
import { openTarget, pageParam } from "./target";

const OpenDocumentQuery = graphql(`
  query OpenDocument($id: ID!) {
    document(id: $id) {
      id
      title
      contentType
      downloadUrl
    }
  }
`);

export function OpenDocument() {
  const id = useParams().documentId ?? "";
  const page = pageParam(useSearchParams()[0].get("page"));
  // Never a cached link: it may have expired since.
  const [{ data, error, fetching }] = useQuery({
    query: OpenDocumentQuery,
    variables: { id },
    requestPolicy: "network-only",
  });
  const found = data?.document ?? null;

  useEffect(() => {
    if (found !== null) window.location.replace(openTarget(found.downloadUrl, found.contentType, page));
  }, [found, page]);

  return (
    <section className="page" aria-busy={found !== null || fetching}>
      <h1>Open a document</h1>
      {found !== null ? (
        <p role="status">Opening {found.title}…</p>
      ) : fetching || (data === undefined && error === undefined) ? (
        <p role="status">Opening the document…</p>
      ) : error?.networkError ? (
        <p className="error" role="alert">
          The document could not be opened: Beacon is out of reach. Check your connection and reload the page.
        </p>
      ) : (
        <p className="notice" role="alert">
          This document was deleted or you can no longer see it.
        </p>
      )}
    </section>
  );
}
