// How answers read: citation links and their names, [n] markers, and who answered.

import type { Citation } from "./answerStream";

/**
 * The app's stable link to the cited file: it asks for a fresh signed `downloadUrl` when it is
 * opened, so a citation still works in a conversation left open longer than a link lives.
 */
export function citationHref(citation: Citation): string {
  const page = citation.page != null ? `?page=${citation.page}` : "";
  return `/open/${encodeURIComponent(citation.document.id)}${page}`;
}

/** What assistive technology reads for a chip, e.g. "[1] Travel policy, page 2". */
export function citationLabel(citation: Citation): string {
  const page = citation.page != null ? `, page ${citation.page}` : "";
  return `[${citation.number}] ${citation.document.title}${page}`;
}

export const CITATION_LINK = "#cite-";

/**
 * The answer's [n] markers as Markdown links to "#cite-n", which the page renders as citation
 * chips. Markers in code stay as they are, and so does an existing link's text.
 */
export function linkMarkers(markdown: string): string {
  const parts = markdown.split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/);
  return parts
    .map((part, index) =>
      index % 2 === 1 ? part : part.replace(/\[(\d{1,3})\](?![(:[])/g, `[\\[$1\\]](${CITATION_LINK}$1)`),
    )
    .join("");
}

/** Which generator answered, in words, e.g. "extractive (offline)". */
export function generatorNote(generator: string, fallbackReason: string | null): string {
  const name = describe(generator);
  return fallbackReason ? `${name}, standing in for the model (${fallbackReason})` : name;
}

function describe(generator: string): string {
  if (generator === "extractive") return "extractive (offline)";
  if (generator.startsWith("openai:")) return `${generator.slice("openai:".length)} (language model)`;
  return generator || "unknown generator";
}

/** An example question about a document, from its title (a file name's extension dropped). */
export function exampleQuestion(title: string): string {
  return `What is in "${title.replace(/\.[a-z0-9]{2,5}$/i, "")}"?`;
}
