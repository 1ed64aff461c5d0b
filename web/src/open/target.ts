// Where an /open/<documentId>?page=N link leads: the document's fresh signed link, at the page
// for a PDF (the browser's viewer reads #page=N; other files download whole).

/** The cited page from `?page=N`: a whole number from 1, else none. */
export function pageParam(value: string | null): number | null {
  if (value === null || !/^[1-9]\d{0,5}$/.test(value)) return null;
  return Number(value);
}

export function openTarget(downloadUrl: string, contentType: string, page: number | null): string {
  return contentType === "application/pdf" && page !== null ? `${downloadUrl}#page=${page}` : downloadUrl;
}
