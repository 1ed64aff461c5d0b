import { CombinedError } from "@urql/core";
import { describe, expect, it } from "vitest";

import { type Page, combinePages } from "./useConnection";

type Data = { items: Page<string> };
const select = (data: Data) => data.items;
const page = (nodes: string[], endCursor: string | null, hasNextPage: boolean) => ({
  data: { items: { nodes, pageInfo: { endCursor, hasNextPage } } },
});

describe("combinePages", () => {
  it("joins the loaded pages and offers the next one", () => {
    const combined = combinePages([page(["a", "b"], "c2", true), page(["c", "d"], "c4", true)], select);
    expect(combined.nodes).toEqual(["a", "b", "c", "d"]);
    expect(combined).toMatchObject({ fetching: false, endCursor: "c4", hasMore: true, error: null });
  });

  it("offers nothing more after the last page", () => {
    expect(combinePages([page(["a"], "c1", false)], select).hasMore).toBe(false);
  });

  it("offers nothing while a page is on its way, and shows the pages before it", () => {
    const combined = combinePages([page(["a"], "c1", true), undefined], select);
    expect(combined).toMatchObject({ nodes: ["a"], fetching: true, hasMore: false });
  });

  it("reports a page's error and does not offer a page after it", () => {
    const error = new CombinedError({ networkError: new Error("offline") });
    const combined = combinePages([page(["a"], "c1", true), { error }], select);
    expect(combined).toMatchObject({ nodes: ["a"], error, fetching: false, hasMore: false, endCursor: null });
  });
});
