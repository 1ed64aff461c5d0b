import { describe, expect, it } from "vitest";

import { type UploadOutcome, UploadQueue } from "./uploadQueue";

type Doc = { id: string };

/** A send whose calls the test finishes by hand, one file at a time. */
function controlledSend() {
  const calls: {
    file: string;
    visibility: string;
    finish: (outcome: UploadOutcome<Doc>) => void;
    fail: (error: Error) => void;
  }[] = [];
  const send = (file: string, visibility: string) =>
    new Promise<UploadOutcome<Doc>>((resolve, reject) => {
      calls.push({ file, visibility, finish: resolve, fail: reject });
    });
  const call = (file: string) => {
    const found = calls.find((candidate) => candidate.file === file);
    if (!found) throw new Error(`${file} was never sent`);
    return found;
  };
  return { send, calls, call };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function states(queue: UploadQueue<string, string, Doc>) {
  return queue.getItems().map((item) => [item.file, item.state.kind]);
}

describe("UploadQueue", () => {
  it("starts the files in the order they were added, no more than the limit at once", async () => {
    const { send, calls, call } = controlledSend();
    const queue = new UploadQueue(send, { concurrency: 2 });
    queue.add(["a.md", "b.pdf", "c.txt", "d.docx"], "PRIVATE");

    expect(calls.map((c) => c.file)).toEqual(["a.md", "b.pdf"]);
    expect(states(queue)).toEqual([
      ["a.md", "uploading"],
      ["b.pdf", "uploading"],
      ["c.txt", "waiting"],
      ["d.docx", "waiting"],
    ]);

    call("b.pdf").finish({ kind: "done", document: { id: "2" } });
    await settle();
    expect(calls.map((c) => c.file)).toEqual(["a.md", "b.pdf", "c.txt"]);

    call("a.md").finish({ kind: "done", document: { id: "1" } });
    await settle();
    expect(calls.map((c) => c.file)).toEqual(["a.md", "b.pdf", "c.txt", "d.docx"]);
    expect(calls.every((c) => c.visibility === "PRIVATE")).toBe(true);
  });

  it("never has more uploads in flight than its limit", async () => {
    let inFlight = 0;
    let most = 0;
    const queue = new UploadQueue<string, string, Doc>(
      async (file) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await settle();
        inFlight -= 1;
        return { kind: "done", document: { id: file } };
      },
      { concurrency: 3 },
    );
    queue.add(
      Array.from({ length: 10 }, (_, i) => `file-${i}`),
      "ORGANIZATION",
    );
    await queue.idle();
    expect(most).toBe(3);
    expect(queue.getItems().every((item) => item.state.kind === "done")).toBe(true);
  });

  it("goes on with the other files when one fails to reach Beacon", async () => {
    const { send, call } = controlledSend();
    const queue = new UploadQueue(send, { concurrency: 1 });
    queue.add(["a.md", "b.md"], "ORGANIZATION");

    call("a.md").fail(new Error("Failed to fetch"));
    await settle();
    call("b.md").finish({ kind: "done", document: { id: "b" } });
    await queue.idle();

    const [first, second] = queue.getItems();
    expect(first?.state).toEqual({
      kind: "failed",
      reason: "The upload did not reach Beacon (Failed to fetch). Check your connection and retry.",
    });
    expect(second?.state).toEqual({ kind: "done", document: { id: "b" } });
  });

  it("goes on after a refusal and keeps its reason and wait", async () => {
    const { send, call } = controlledSend();
    const queue = new UploadQueue(send, { concurrency: 1 });
    queue.add(["huge.pdf", "small.md"], "ORGANIZATION");

    call("huge.pdf").finish({ kind: "refused", reason: "Too many uploads.", retryAfterSeconds: 30 });
    await settle();
    call("small.md").finish({ kind: "done", document: { id: "s" } });
    await queue.idle();

    expect(queue.getItems()[0]?.state).toEqual({
      kind: "refused",
      reason: "Too many uploads.",
      retryAfterSeconds: 30,
    });
    expect(queue.getItems()[1]?.state.kind).toBe("done");
  });

  it("reports a duplicate with the existing document", async () => {
    const { send, call } = controlledSend();
    const queue = new UploadQueue(send);
    queue.add(["again.md"], "ORGANIZATION");
    call("again.md").finish({ kind: "duplicate", document: { id: "existing" } });
    await queue.idle();
    expect(queue.getItems()[0]?.state).toEqual({ kind: "duplicate", document: { id: "existing" } });
  });

  it("sends a refused file again on retry, and forgets finished uploads when asked", async () => {
    const { send, calls } = controlledSend();
    const queue = new UploadQueue(send, { concurrency: 1 });
    queue.add(["a.md"], "PRIVATE");
    calls[0]?.finish({ kind: "refused", reason: "Wait.", retryAfterSeconds: 1 });
    await queue.idle();

    const key = queue.getItems()[0]!.key;
    queue.retry(key);
    expect(calls.map((c) => c.file)).toEqual(["a.md", "a.md"]);
    expect(queue.getItems()[0]?.state.kind).toBe("uploading");
    calls[1]?.finish({ kind: "done", document: { id: "a" } });
    await queue.idle();

    queue.clearFinished();
    expect(queue.getItems()).toEqual([]);
  });

  it("tells its listeners about every change, with a new snapshot each time", async () => {
    const { send, call } = controlledSend();
    const queue = new UploadQueue(send);
    const snapshots: unknown[] = [];
    queue.subscribe(() => snapshots.push(queue.getItems()));
    queue.add(["a.md"], "PRIVATE");
    call("a.md").finish({ kind: "done", document: { id: "a" } });
    await queue.idle();
    expect(snapshots.length).toBe(3); // waiting, uploading, done
    expect(new Set(snapshots).size).toBe(3);
  });
});
