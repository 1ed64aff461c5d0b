// A failed request in words, for every page: a network failure says so, a GraphQL error gives
// Beacon's own message.

export const UNREACHABLE = "Beacon cannot be reached. Check your connection and try again.";

export function errorWords(error: { networkError?: Error; graphQLErrors: { message: string }[] }): string {
  if (error.networkError) return UNREACHABLE;
  return error.graphQLErrors.map((e) => e.message).join(" ") || "Something went wrong.";
}
