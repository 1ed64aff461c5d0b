// Settings: how the organisation answers (system prompt, sources per answer), where uploads go
// by default, and how people sign in (company sign-in).

import { type FormEvent, useState } from "react";
import { useMutation, useQuery } from "urql";

import type { ResultOf } from "../graphql";
import { errorWords } from "../ui/errors";
import { SettingsQuery, UpdateSettingsMutation } from "./operations";
import { QueryError } from "./parts";
import { SignInSection } from "./SignInSection";
import styles from "./Admin.module.css";

type Settings = ResultOf<typeof SettingsQuery>["organization"]["settings"];
type Visibility = Settings["defaultVisibility"];

const MAX_PROMPT = 8000;

export function SettingsTab() {
  const [{ data, error, fetching }] = useQuery({ query: SettingsQuery });
  const settings = data?.organization.settings;
  return (
    <>
      <h2 className="visually-hidden">Settings</h2>
      {error && <QueryError error={error} what="the settings" />}
      {!settings && fetching && (
        <p className="muted" role="status">
          Loading settings…
        </p>
      )}
      {settings && <SettingsForm settings={settings} />}
      <SignInSection />
    </>
  );
}

type Outcome = { kind: "saved" } | { kind: "refused"; text: string; field: string | null } | null;

function SettingsForm({ settings }: { settings: Settings }) {
  const [prompt, setPrompt] = useState(settings.systemPrompt ?? "");
  const [sources, setSources] = useState(String(settings.answerSources));
  const [visibility, setVisibility] = useState<Visibility>(settings.defaultVisibility);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [{ fetching }, update] = useMutation(UpdateSettingsMutation);

  const dirty =
    prompt.trim() !== (settings.systemPrompt ?? "").trim() ||
    sources !== String(settings.answerSources) ||
    visibility !== settings.defaultVisibility;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setOutcome(null);
    const result = await update({
      // Blank means Beacon's own instructions, as null does.
      systemPrompt: prompt.trim() === "" ? null : prompt,
      answerSources: Number.parseInt(sources, 10),
      defaultVisibility: visibility,
    });
    const payload = result.data?.updateOrganizationSettings;
    if (payload?.__typename === "Organization") setOutcome({ kind: "saved" });
    else if (payload) setOutcome({ kind: "refused", text: payload.message, field: payload.field });
    else if (result.error) setOutcome({ kind: "refused", text: errorWords(result.error), field: null });
  }

  const invalid = (field: string) => outcome?.kind === "refused" && outcome.field === field;

  return (
    <form
      className={`form ${styles.settings}`}
      onSubmit={(event) => void save(event)}
      onChange={() => setOutcome(null)}
      aria-label="Organisation settings"
    >
      <label>
        System prompt
        <textarea
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          rows={8}
          maxLength={MAX_PROMPT}
          placeholder="Beacon's own instructions are used while this is empty."
          aria-describedby="prompt-hint"
          aria-invalid={invalid("systemPrompt") || undefined}
        />
      </label>
      <p id="prompt-hint" className="hint">
        {settings.systemPrompt === null
          ? "Beacon's own instructions are in use; write yours here to replace them."
          : `Your instructions, version ${settings.promptVersion}, are in use; empty the box to go back to Beacon's own.`}{" "}
        Beacon's rules for treating documents as untrusted data always apply. {prompt.length.toLocaleString()}{" "}
        of {MAX_PROMPT.toLocaleString()} characters.
      </p>
      <label>
        Sources per answer
        <input
          type="number"
          inputMode="numeric"
          min={1}
          max={20}
          step={1}
          required
          value={sources}
          onChange={(event) => setSources(event.target.value)}
          aria-describedby="sources-hint"
          aria-invalid={invalid("answerSources") || undefined}
          className={styles.short}
        />
      </label>
      <p id="sources-hint" className="hint">
        How many passages an answer is given, from 1 to 20. More sources give fuller answers and use more
        tokens.
      </p>
      <label>
        Default visibility of uploads
        <select
          value={visibility}
          onChange={(event) => setVisibility(event.target.value === "PRIVATE" ? "PRIVATE" : "ORGANIZATION")}
          aria-describedby="visibility-hint"
          aria-invalid={invalid("defaultVisibility") || undefined}
        >
          <option value="ORGANIZATION">Everyone in the organisation</option>
          <option value="PRIVATE">Only the uploader and admins</option>
        </select>
      </label>
      <p id="visibility-hint" className="hint">
        For uploads that do not choose their visibility.
      </p>
      <div className={styles.saveRow}>
        <button type="submit" className="button primary" disabled={fetching || !dirty}>
          {fetching ? "Saving…" : "Save settings"}
        </button>
        <span role="status">
          {outcome?.kind === "saved" && <span className={styles.done}>Saved.</span>}
          {!outcome && !dirty && !fetching && <span className="muted">No unsaved changes.</span>}
        </span>
      </div>
      {outcome?.kind === "refused" && (
        <p className="error" role="alert">
          Not saved: {outcome.text}
        </p>
      )}
    </form>
  );
}
