// Documents in plain words: statuses, sizes, types, visibility.

import type { DocumentStatus, Visibility } from "./operations";

export const STATUS_WORDS: Record<DocumentStatus, string> = {
  QUEUED: "Queued",
  PARSING: "Parsing",
  CHUNKING: "Chunking",
  EMBEDDING: "Embedding",
  INDEXING: "Indexing",
  READY: "Ready",
  FAILED: "Failed",
};

export const STATUSES = Object.keys(STATUS_WORDS) as DocumentStatus[];

export function isFinal(status: DocumentStatus): boolean {
  return status === "READY" || status === "FAILED";
}

export const VISIBILITY_WORDS: Record<Visibility, string> = {
  ORGANIZATION: "Organization",
  PRIVATE: "Private",
};

const UNITS = ["KB", "MB", "GB", "TB"];

/** 1536 → "1.5 KB": decimal units below ten, whole ones above. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value).toString();
  return `${shown} ${UNITS[unit]}`;
}

const TYPES: Record<string, string> = {
  "application/pdf": "PDF",
  "text/markdown": "Markdown",
  "text/x-markdown": "Markdown",
  "text/plain": "Text",
  "text/html": "HTML",
  "text/csv": "CSV",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
};

/** A content type as people name it; unknown ones show their subtype. */
export function typeName(contentType: string): string {
  const bare = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return TYPES[bare] ?? (bare.split("/")[1]?.toUpperCase() || "Unknown");
}

/** "Try again in 42 s" / "in 2 min". */
export function waitWords(seconds: number): string {
  if (seconds < 90) return `Try again in ${seconds} s.`;
  return `Try again in ${Math.ceil(seconds / 60)} min.`;
}

/** A query's failure in words (GraphQL errors carry sentences for people). */
