// Operations are typed from schema.graphql by gql.tada: `npm run schema` writes
// src/graphql-env.d.ts (the schema's introspection as types); no per-operation codegen step.
import { initGraphQLTada } from "gql.tada";
import type { introspection } from "./graphql-env.d.ts";

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
    JSON: unknown;
    Upload: File;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from "gql.tada";
export { readFragment } from "gql.tada";
