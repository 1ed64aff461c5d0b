import { describe, expect, it } from "vitest";

import { type DocumentList, type ListFilter, documentList, emptyList } from "./documentList";

type Doc = { id: string; status: string; title: string };
const doc = (id: string, status = "QUEUED", title = `Doc ${id}`): Doc => ({ id, status, title });
const noFilter: ListFilter = { status: null, title: "" };

function loaded(rows: Doc[], hasNextPage = false, filter = noFilter): DocumentList<Doc> {
  return documentList(emptyList<Doc>(), {
    type: "loaded",
    rows,
    endCursor: "c1",
    hasNextPage,
    filter,
    append: false,
  });
}

describe("documentList", () => {
  it("appends the next page and keeps a row that came twice once", () => {
    const first = loaded([doc("3"), doc("2")], true);
    const next = documentList(first, {
      type: "loaded",
      rows: [doc("2"), doc("1")],
      endCursor: "c2",
      hasNextPage: false,
      filter: noFilter,
      append: true,
    });
    expect(next.rows.map((row) => row.id)).toEqual(["3", "2", "1"]);
    expect(next).toMatchObject({ endCursor: "c2", hasNextPage: false });
  });

  it("puts a new upload at the top", () => {
    const list = documentList(loaded([doc("1")]), { type: "added", document: doc("2") });
    expect(list.rows.map((row) => row.id)).toEqual(["2", "1"]);
  });

  it("leaves out an upload the filter would not show", () => {
    const ready = loaded([doc("1", "READY")], false, { status: "READY", title: "" });
    const list = documentList(ready, { type: "added", document: doc("2") });
    expect(list.rows.map((row) => row.id)).toEqual(["1"]);
    const byTitle = loaded([], false, { status: null, title: "  HANDBOOK " });
    const added = documentList(byTitle, { type: "added", document: doc("3", "QUEUED", "Employee handbook") });
    expect(added.rows.map((row) => row.id)).toEqual(["3"]);
  });

  it("updates a duplicate upload where it is rather than adding it again", () => {
    const list = documentList(loaded([doc("2"), doc("1", "FAILED")]), {
      type: "added",
      document: doc("1", "QUEUED"),
    });
    expect(list.rows).toEqual([doc("2"), doc("1", "QUEUED")]);
  });

  it("updates a row stage by stage in place, and never adds one from an event", () => {
    let list = loaded([doc("2"), doc("1")]);
    list = documentList(list, { type: "changed", document: doc("1", "PARSING") });
    list = documentList(list, { type: "changed", document: doc("1", "READY") });
    expect(list.rows).toEqual([doc("2"), doc("1", "READY")]);
    expect(documentList(list, { type: "changed", document: doc("9") })).toBe(list);
  });

  it("drops a deleted row", () => {
    const list = documentList(loaded([doc("2"), doc("1")]), { type: "removed", id: "2" });
    expect(list.rows.map((row) => row.id)).toEqual(["1"]);
  });
});
