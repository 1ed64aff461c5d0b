import { describe, expect, it } from "vitest";

import { uploadOutcome } from "./operations";

// The fragment's data as the server sends it; readFragment only unmasks the type.
const document = { id: "d1", title: "Handbook", status: "QUEUED" };
type Payload = Parameters<typeof uploadOutcome>[0];
const payload = (value: object) => value as unknown as Payload;

describe("uploadOutcome", () => {
  it("reads a new upload as done", () => {
    const outcome = uploadOutcome(
      payload({ __typename: "UploadDocumentSuccess", duplicate: false, retried: false, document }),
    );
    expect(outcome).toEqual({ kind: "done", document });
  });

  it("reads the same content again as a duplicate pointing to the existing document", () => {
    const outcome = uploadOutcome(
      payload({ __typename: "UploadDocumentSuccess", duplicate: true, retried: false, document }),
    );
    expect(outcome).toEqual({ kind: "duplicate", document });
  });

  it("says so when a duplicate of a failed document is processed again", () => {
    const outcome = uploadOutcome(
      payload({ __typename: "UploadDocumentSuccess", duplicate: true, retried: true, document }),
    );
    expect(outcome).toEqual({
      kind: "done",
      document,
      note: "It had failed before; it is being processed again.",
    });
  });

  it("keeps a delayed ingestion's explanation with its stored document", () => {
    const outcome = uploadOutcome(
      payload({
        __typename: "IngestionDelayed",
        code: "INGESTION_DELAYED",
        message: "Queue away.",
        document,
      }),
    );
    expect(outcome).toEqual({ kind: "done", document, note: "Queue away." });
  });

  it("refuses with the server's reason, and the wait of a rate limit", () => {
    expect(
      uploadOutcome(
        payload({ __typename: "FileRejected", code: "TOO_LARGE", message: "The file is too large." }),
      ),
    ).toEqual({ kind: "refused", reason: "The file is too large." });
    expect(
      uploadOutcome(payload({ __typename: "ValidationError", code: "INVALID_INPUT", message: "Bad title." })),
    ).toEqual({ kind: "refused", reason: "Bad title." });
    expect(
      uploadOutcome(
        payload({
          __typename: "TooManyAttempts",
          code: "RATE_LIMITED",
          message: "Too many uploads.",
          retryAfterSeconds: 42,
        }),
      ),
    ).toEqual({ kind: "refused", reason: "Too many uploads.", retryAfterSeconds: 42 });
  });
});
