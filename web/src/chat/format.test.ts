import { describe, expect, it } from "vitest";

import type { Citation } from "./answerStream";
import { citationHref, citationLabel, exampleQuestion, generatorNote, linkMarkers } from "./format";

function citation(page: number | null, contentType = "application/pdf"): Citation {
  return {
    number: 2,
    snippet: "…",
    page,
    document: { id: "d1", title: "Travel policy", contentType },
  };
}

describe("a citation", () => {
  it("links to the app's stable address for its document and page, not to an expiring signed link", () => {
    expect(citationHref(citation(4))).toBe("/open/d1?page=4");
    expect(citationHref(citation(null))).toBe("/open/d1");
  });

  it("is named by its number, its document's title and its page when known", () => {
    expect(citationLabel(citation(4))).toBe("[2] Travel policy, page 4");
    expect(citationLabel(citation(null))).toBe("[2] Travel policy");
  });
});

describe("answer markers", () => {
  it("become links the page renders as chips", () => {
    expect(linkMarkers("Trains [1] and planes [12].")).toBe(
      "Trains [\\[1\\]](#cite-1) and planes [\\[12\\]](#cite-12).",
    );
  });

  it("stay as they are in code and in existing links", () => {
    expect(linkMarkers("`a[1]` and [2](https://x) and\n```\nb[3]\n```")).toBe(
      "`a[1]` and [2](https://x) and\n```\nb[3]\n```",
    );
  });
});

describe("the generator note", () => {
  it("says the extractive generator is offline", () => {
    expect(generatorNote("extractive", null)).toBe("extractive (offline)");
  });

  it("names the model, and the failure when the extractive generator stood in", () => {
    expect(generatorNote("openai:llama3", null)).toBe("llama3 (language model)");
    expect(generatorNote("extractive", "LLM_TIMEOUT")).toBe(
      "extractive (offline), standing in for the model (LLM_TIMEOUT)",
    );
  });
});

describe("an example question", () => {
  it("asks about a document by its title, without a file extension", () => {
    expect(exampleQuestion("Travel policy.pdf")).toBe('What is in "Travel policy"?');
    expect(exampleQuestion("Onboarding v2.0")).toBe('What is in "Onboarding v2.0"?');
  });
});
