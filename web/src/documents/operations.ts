import { type ResultOf, graphql, readFragment } from "../graphql";
import type { UploadOutcome } from "./uploadQueue";

// Other members' addresses are for ADMINs only (the server refuses the field otherwise, and a
// refused non-null field would take the whole list with it), hence `$admin` on every operation
// that reads a document.
export const DocumentFields = graphql(`
  fragment DocumentFields on Document {
    id
    title
    filename
    contentType
    sizeBytes
    status
    progress
    visibility
    createdAt
    failure {
      code
      message
      retryable
    }
    uploadedBy {
      id
      email @include(if: $admin)
    }
  }
`);

export type DocumentRow = ResultOf<typeof DocumentFields>;
export type DocumentStatus = DocumentRow["status"];
export type Visibility = DocumentRow["visibility"];

export const DocumentsQuery = graphql(
  `
    query Documents($first: Int!, $after: String, $status: DocumentStatus, $title: String, $admin: Boolean!) {
      documents(
        first: $first
        after: $after
        status: $status
        titleContains: $title
        orderBy: { field: CREATED_AT, direction: DESC }
      ) {
        nodes {
          ...DocumentFields
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [DocumentFields],
);

export const DefaultVisibilityQuery = graphql(`
  query DefaultVisibility {
    organization {
      id
      defaultVisibility
    }
  }
`);

export const DocumentEventsSubscription = graphql(
  `
    subscription DocumentEvents($id: ID!, $admin: Boolean!) {
      documentEvents(id: $id) {
        ...DocumentFields
      }
    }
  `,
  [DocumentFields],
);

export const UploadDocumentMutation = graphql(
  `
    mutation UploadDocument($file: Upload!, $visibility: Visibility, $admin: Boolean!) {
      uploadDocument(input: { file: $file, visibility: $visibility }) {
        __typename
        ... on UploadDocumentSuccess {
          duplicate
          retried
          document {
            ...DocumentFields
          }
        }
        ... on IngestionDelayed {
          message
          document {
            ...DocumentFields
          }
        }
        ... on Error {
          message
          code
        }
        ... on TooManyAttempts {
          retryAfterSeconds
        }
      }
    }
  `,
  [DocumentFields],
);

export const DeleteDocumentMutation = graphql(`
  mutation DeleteDocument($id: ID!) {
    deleteDocument(id: $id) {
      __typename
      ... on DeleteDocumentSuccess {
        id
      }
      ... on Error {
        message
      }
    }
  }
`);

export const ReindexDocumentMutation = graphql(
  `
    mutation ReindexDocument($id: ID!, $admin: Boolean!) {
      reindexDocument(id: $id) {
        __typename
        ... on ReindexDocumentSuccess {
          document {
            ...DocumentFields
          }
        }
        ... on Error {
          message
        }
      }
    }
  `,
  [DocumentFields],
);

type UploadPayload = ResultOf<typeof UploadDocumentMutation>["uploadDocument"];

/** Every member of UploadDocumentResult, in the words the page shows. */
export function uploadOutcome(payload: UploadPayload): UploadOutcome<DocumentRow> {
  switch (payload.__typename) {
    case "UploadDocumentSuccess": {
      const document = readFragment(DocumentFields, payload.document);
      if (payload.duplicate && !payload.retried) return { kind: "duplicate", document };
      return payload.retried
        ? { kind: "done", document, note: "It had failed before; it is being processed again." }
        : { kind: "done", document };
    }
    case "IngestionDelayed":
      return {
        kind: "done",
        document: readFragment(DocumentFields, payload.document),
        note: payload.message,
      };
    case "TooManyAttempts":
      return { kind: "refused", reason: payload.message, retryAfterSeconds: payload.retryAfterSeconds };
    case "FileRejected":
    case "ValidationError":
      return { kind: "refused", reason: payload.message };
  }
}
