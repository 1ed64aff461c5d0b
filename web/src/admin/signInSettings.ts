// The company sign-in form's words and values: what the admin typed becomes configureOidc's
// input, and each answer of the three mutations becomes a note (with the field at fault).

import type { CombinedError } from "urql";

import { type FragmentOf, type ResultOf, type VariablesOf, readFragment } from "../graphql";
import { errorWords } from "../ui/errors";
import {
  type ConfigureOidcMutation,
  type RemoveOidcMutation,
  type SetPasswordSignInMutation,
  SignInSettingsFields,
} from "./operations";

export type SignInSettings = ResultOf<typeof SignInSettingsFields>;
export type OidcSettings = NonNullable<SignInSettings["oidc"]>;
export type ConfigureOidcInput = VariablesOf<typeof ConfigureOidcMutation>["input"];

/** Where the client secret comes from: typed here (stored encrypted), or an environment variable. */
export type SecretSource = "stored" | "env";

export interface OidcFormValues {
  name: string;
  issuer: string;
  clientId: string;
  secretSource: SecretSource;
  clientSecret: string;
  clientSecretEnv: string;
  allowedDomains: string;
  groupsClaim: string;
  adminGroups: string;
}

/** The form filled from the current provider (the secret box always starts empty), or blank. */
export function formValues(oidc: OidcSettings | null): OidcFormValues {
  return {
    name: oidc?.name ?? "",
    issuer: oidc?.issuer ?? "",
    clientId: oidc?.clientId ?? "",
    secretSource: oidc?.clientSecretEnv ? "env" : "stored",
    clientSecret: "",
    clientSecretEnv: oidc?.clientSecretEnv ?? "",
    allowedDomains: (oidc?.allowedDomains ?? []).join(", "),
    groupsClaim: oidc?.groupsClaim ?? "groups",
    adminGroups: (oidc?.adminGroups ?? []).join(", "),
  };
}

/** Domains typed one per line or separated by commas or spaces; lower case, each once. */
export function domainList(text: string): string[] {
  const domains = text
    .split(/[\s,;]+/)
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ""))
    .filter((domain) => domain !== "");
  return [...new Set(domains)];
}

/** Group names separated by commas or lines (a name may hold spaces: "Beacon admins"). */
export function groupList(text: string): string[] {
  const groups = text
    .split(/[\n,]+/)
    .map((group) => group.trim())
    .filter((group) => group !== "");
  return [...new Set(groups)];
}

export function configureInput(values: OidcFormValues): ConfigureOidcInput {
  const fromEnvironment = values.secretSource === "env";
  const secret = values.clientSecret.trim();
  return {
    name: values.name.trim(),
    issuer: values.issuer.trim(),
    clientId: values.clientId.trim(),
    // An empty box keeps the stored secret: the server never sends it back to fill the box.
    clientSecret: fromEnvironment || secret === "" ? null : secret,
    clientSecretEnv: fromEnvironment ? values.clientSecretEnv.trim() : null,
    allowedDomains: domainList(values.allowedDomains),
    groupsClaim: values.groupsClaim.trim() || "groups",
    adminGroups: groupList(values.adminGroups),
  };
}

/** The form's field each refusal points to. */
const FIELD_OF_CODE = new Map<string, keyof OidcFormValues>([
  ["DOMAIN_TAKEN", "allowedDomains"],
  ["OIDC_DISCOVERY_FAILED", "issuer"],
]);

export type Outcome =
  { kind: "saved"; settings: SignInSettings } | { kind: "refused"; text: string; field: string | null };

type Answer<Payload> = { data?: Payload; error?: CombinedError };
type Refusal = { __typename: string; message: string; code: string; field?: string };
type SettingsPayload = { __typename: "SignInSettings" } & FragmentOf<typeof SignInSettingsFields>;

function outcome(payload: SettingsPayload | Refusal | undefined, error: CombinedError | undefined): Outcome {
  if (payload === undefined)
    return { kind: "refused", text: error ? errorWords(error) : "No answer.", field: null };
  if ("message" in payload)
    return {
      kind: "refused",
      text: payload.message,
      field: payload.field ?? FIELD_OF_CODE.get(payload.code) ?? null,
    };
  return { kind: "saved", settings: readFragment(SignInSettingsFields, payload) };
}

export function configureOutcome(result: Answer<ResultOf<typeof ConfigureOidcMutation>>): Outcome {
  return outcome(result.data?.configureOidc, result.error);
}

export function removeOutcome(result: Answer<ResultOf<typeof RemoveOidcMutation>>): Outcome {
  return outcome(result.data?.removeOidc, result.error);
}

export function passwordSignInOutcome(result: Answer<ResultOf<typeof SetPasswordSignInMutation>>): Outcome {
  return outcome(result.data?.setPasswordSignIn, result.error);
}
