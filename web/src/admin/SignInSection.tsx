// Settings → Company sign-in: the organisation's OpenID Connect provider (people whose email is
// in its domains see "Sign in with <name>"), and whether Beacon passwords still work.

import * as Dialog from "@radix-ui/react-dialog";
import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "urql";

import { readFragment } from "../graphql";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import {
  ConfigureOidcMutation,
  RemoveOidcMutation,
  SetPasswordSignInMutation,
  SignInSettingsFields,
  SignInSettingsQuery,
} from "./operations";
import { QueryError, When, useNow } from "./parts";
import {
  type OidcFormValues,
  type OidcSettings,
  type Outcome,
  type SignInSettings,
  configureInput,
  configureOutcome,
  formValues,
  passwordSignInOutcome,
  removeOutcome,
} from "./signInSettings";
import styles from "./Admin.module.css";

export function SignInSection() {
  const [{ data, error, fetching }] = useQuery({ query: SignInSettingsQuery });
  const settings = data ? readFragment(SignInSettingsFields, data.signInSettings) : null;
  return (
    <section aria-labelledby="company-sign-in-title" className={`${styles.settings} ${styles.signIn}`}>
      <h3 id="company-sign-in-title" className={styles.sectionTitle}>
        Company sign-in
      </h3>
      {error && <QueryError error={error} what="the sign-in settings" />}
      {!settings && fetching && (
        <p className="muted" role="status">
          Loading the sign-in settings…
        </p>
      )}
      {settings && <SignInSettingsView settings={settings} />}
    </section>
  );
}

export function SignInSettingsView({ settings }: { settings: SignInSettings }) {
  const { oidc } = settings;
  // Kept here, not in the form: the form starts anew when a provider comes or goes.
  const [saved, setSaved] = useState(false);
  const configured = oidc ? "configured" : "none";
  return (
    <>
      {oidc ? (
        <ProviderStatus oidc={oidc} />
      ) : (
        <p className={styles.intro}>
          No company provider yet: everyone signs in with a Beacon password. Set up your OpenID Connect
          provider below and the sign-in page offers "Sign in with" it to people of its email domains.
        </p>
      )}
      <OidcForm
        key={`provider-${configured}`}
        oidc={oidc}
        saved={saved && oidc !== null}
        onSaved={setSaved}
      />
      <PasswordSignIn key={`password-${configured}`} settings={settings} />
    </>
  );
}

function secretWords(oidc: OidcSettings): string {
  if (oidc.clientSecretEnv) return `read from the environment variable ${oidc.clientSecretEnv}`;
  if (oidc.clientSecretSet) return "stored encrypted; it is never shown";
  return "none";
}

function ProviderStatus({ oidc }: { oidc: OidcSettings }) {
  const now = useNow();
  return (
    <>
      <ul className={styles.verdicts}>
        <li>
          <strong>{oidc.name}</strong> ({oidc.issuer}) signs in people of{" "}
          {oidc.allowedDomains.length > 0 ? oidc.allowedDomains.join(", ") : "no domain yet"}.
        </li>
        <li>
          <strong>Client:</strong> {oidc.clientId}; secret {secretWords(oidc)}.
        </li>
        <li>
          <strong>Verified:</strong>{" "}
          {oidc.verifiedAt ? (
            <>
              yes, by a successful sign-in <When iso={oidc.verifiedAt} now={now} />.
            </>
          ) : (
            "not yet. The first successful sign-in through it verifies it; password sign-in can be turned off after that."
          )}
        </li>
        <li>
          <strong>Changed:</strong> <When iso={oidc.updatedAt} now={now} />.
        </li>
      </ul>
      <p className={styles.removeRow}>
        <RemoveOidc name={oidc.name} />
      </p>
    </>
  );
}

function OidcForm({
  oidc,
  saved,
  onSaved,
}: {
  oidc: OidcSettings | null;
  saved: boolean;
  onSaved: (saved: boolean) => void;
}) {
  const [values, setValues] = useState<OidcFormValues>(() => formValues(oidc));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [{ fetching }, configure] = useMutation(ConfigureOidcMutation);

  const set = (field: keyof OidcFormValues) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));
  const invalid = (field: keyof OidcFormValues) =>
    (outcome?.kind === "refused" && outcome.field === field) || undefined;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOutcome(null);
    onSaved(false);
    const answer = configureOutcome(await configure({ input: configureInput(values) }));
    setOutcome(answer);
    if (answer.kind === "saved") {
      // The boxes show what is stored now (domains as Beacon keeps them), the secret box empty.
      setValues(formValues(answer.settings.oidc));
      onSaved(true);
    }
  }

  const fromEnvironment = values.secretSource === "env";
  return (
    <form
      className={`form ${styles.createForm}`}
      onSubmit={(event) => void save(event)}
      onChange={() => {
        setOutcome(null);
        onSaved(false);
      }}
      aria-labelledby="oidc-form-title"
    >
      <h4 id="oidc-form-title" className={styles.formTitle}>
        {oidc ? "OpenID Connect provider" : "Set up an OpenID Connect provider"}
      </h4>
      <label>
        Name
        <input
          value={values.name}
          onChange={set("name")}
          required
          maxLength={100}
          placeholder="Acme SSO"
          aria-describedby="oidc-name-hint"
          aria-invalid={invalid("name")}
        />
      </label>
      <p id="oidc-name-hint" className="hint">
        The sign-in page's button says "Sign in with {values.name.trim() || "<name>"}".
      </p>
      <label>
        Issuer URL
        <input
          type="url"
          value={values.issuer}
          onChange={set("issuer")}
          required
          placeholder="https://login.example.com/realms/acme"
          aria-describedby="oidc-issuer-hint"
          aria-invalid={invalid("issuer")}
        />
      </label>
      <p id="oidc-issuer-hint" className="hint">
        Beacon reads its discovery document (/.well-known/openid-configuration) when you save.
      </p>
      <label>
        Client ID
        <input
          value={values.clientId}
          onChange={set("clientId")}
          required
          autoComplete="off"
          aria-invalid={invalid("clientId")}
        />
      </label>
      <fieldset className={styles.choice}>
        <legend>Client secret</legend>
        <label>
          <input
            type="radio"
            name="secretSource"
            value="stored"
            checked={!fromEnvironment}
            onChange={() => setValues((current) => ({ ...current, secretSource: "stored" }))}
          />
          Stored in Beacon, encrypted
        </label>
        <label>
          <input
            type="radio"
            name="secretSource"
            value="env"
            checked={fromEnvironment}
            onChange={() => setValues((current) => ({ ...current, secretSource: "env" }))}
          />
          From an environment variable
        </label>
      </fieldset>
      {fromEnvironment ? (
        <>
          <label>
            Environment variable
            <input
              value={values.clientSecretEnv}
              onChange={set("clientSecretEnv")}
              required
              placeholder="BEACON_OIDC_CLIENT_SECRET"
              autoComplete="off"
              spellCheck={false}
              aria-describedby="oidc-env-hint"
              aria-invalid={invalid("clientSecretEnv")}
            />
          </label>
          <p id="oidc-env-hint" className="hint">
            The name of the variable in Beacon's environment that holds the secret. Saving it removes a stored
            secret.
          </p>
        </>
      ) : (
        <>
          <label>
            Secret
            <input
              type="password"
              value={values.clientSecret}
              onChange={set("clientSecret")}
              autoComplete="new-password"
              required={!oidc?.clientSecretSet}
              aria-describedby="oidc-secret-hint"
              aria-invalid={invalid("clientSecret")}
            />
          </label>
          <p id="oidc-secret-hint" className="hint">
            {oidc?.clientSecretSet
              ? "Leave empty to keep the stored secret. It is write-only: Beacon never shows it."
              : "Write-only: Beacon stores it encrypted and never shows it."}
          </p>
        </>
      )}
      <label>
        Allowed email domains
        <input
          value={values.allowedDomains}
          onChange={set("allowedDomains")}
          required
          placeholder="acme.com, acme.co.uk"
          autoComplete="off"
          spellCheck={false}
          aria-describedby="oidc-domains-hint"
          aria-invalid={invalid("allowedDomains")}
        />
      </label>
      <p id="oidc-domains-hint" className="hint">
        Separated by commas. People with an email in these domains see the button, and their first sign-in
        creates their account.
      </p>
      <label>
        Groups claim
        <input
          value={values.groupsClaim}
          onChange={set("groupsClaim")}
          placeholder="groups"
          autoComplete="off"
          spellCheck={false}
          className={styles.medium}
          aria-invalid={invalid("groupsClaim")}
        />
      </label>
      <label>
        Admin groups
        <input
          value={values.adminGroups}
          onChange={set("adminGroups")}
          placeholder="beacon-admins"
          autoComplete="off"
          aria-describedby="oidc-groups-hint"
          aria-invalid={invalid("adminGroups")}
        />
      </label>
      <p id="oidc-groups-hint" className="hint">
        Separated by commas. A person in one of these groups (in the ID token's groups claim) becomes an Admin
        at their first sign-in, everyone else a User; after that, roles change on the Users tab.
      </p>
      <div className={styles.saveRow}>
        <button type="submit" className="button primary" disabled={fetching}>
          {fetching ? "Saving…" : "Save company sign-in"}
        </button>
        <span role="status">{saved && <span className={styles.done}>Saved.</span>}</span>
      </div>
      {outcome?.kind === "refused" && (
        <p className="error" role="alert">
          Not saved: {outcome.text}
        </p>
      )}
    </form>
  );
}

function RemoveOidc({ name }: { name: string }) {
  const [open, setOpen] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const [{ fetching }, remove] = useMutation(RemoveOidcMutation);

  async function confirm() {
    const outcome = removeOutcome(await remove({}));
    if (outcome.kind === "saved") setOpen(false);
    else setRefused(outcome.text);
  }

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setRefused(null);
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className="button" aria-label="Remove company sign-in">
          Remove
        </button>
      </Dialog.Trigger>
      <ConfirmDialog
        title={`Remove ${name}?`}
        description={`The sign-in page stops offering "Sign in with ${name}" and password sign-in comes back on. People who only ever signed in through ${name} have no Beacon password.`}
        confirmLabel="Remove"
        busy={fetching}
        error={refused}
        onConfirm={() => void confirm()}
      />
    </Dialog.Root>
  );
}

function PasswordSignIn({ settings }: { settings: SignInSettings }) {
  const { passwordSignIn, oidc } = settings;
  const [confirming, setConfirming] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const [{ fetching }, setPasswordSignIn] = useMutation(SetPasswordSignInMutation);

  async function change(enabled: boolean) {
    setRefused(null);
    const outcome = passwordSignInOutcome(await setPasswordSignIn({ enabled }));
    setConfirming(false);
    if (outcome.kind === "refused") setRefused(outcome.text);
  }

  return (
    <div className={styles.passwordSignIn}>
      <label className={styles.toggle}>
        <input
          type="checkbox"
          checked={passwordSignIn}
          disabled={fetching}
          aria-describedby="password-sign-in-hint"
          // Turning passwords off locks out whoever has no company account: it asks first.
          onChange={(event) => (event.target.checked ? void change(true) : setConfirming(true))}
        />
        Password sign-in
      </label>
      <p id="password-sign-in-hint" className={styles.hint}>
        {passwordSignIn
          ? oidc
            ? `On: people sign in with their Beacon password or with ${oidc.name}. Turn it off so that everyone signs in with ${oidc.name}; it needs one successful sign-in through ${oidc.name} first.`
            : "On: everyone signs in with a Beacon password. It can be turned off once a company provider is set up and someone has signed in through it."
          : `Off: everyone, admins included, signs in with ${oidc?.name ?? "the company provider"}.`}
      </p>
      {refused && (
        <p className="error" role="alert">
          Password sign-in not changed: {refused}
        </p>
      )}
      <Dialog.Root open={confirming} onOpenChange={setConfirming}>
        <ConfirmDialog
          title="Turn password sign-in off?"
          description={`Everyone, you included, then signs in with ${oidc?.name ?? "the company provider"}. Sessions open now stay open.`}
          confirmLabel="Turn off"
          busy={fetching}
          onConfirm={() => void change(false)}
        />
      </Dialog.Root>
    </div>
  );
}
