// Users: who may sign in, with which role; create, change role, deactivate and reactivate.

import * as Dialog from "@radix-ui/react-dialog";
import { type FormEvent, useState } from "react";
import { useMutation } from "urql";

import { ConfirmDialog } from "../ui/ConfirmDialog";
import { useUser } from "../app/beacon";
import type { ResultOf } from "../graphql";
import { errorWords } from "../ui/errors";
import { formatDate, roleLabel } from "./format";
import {
  CreateUserMutation,
  DeactivateUserMutation,
  ReactivateUserMutation,
  UpdateUserMutation,
  UsersQuery,
} from "./operations";
import { LoadMore, QueryError, When, useNow } from "./parts";
import { useConnection } from "./useConnection";
import styles from "./Admin.module.css";

type User = ResultOf<typeof UsersQuery>["users"]["nodes"][number];
type Role = User["role"];
type Note = { kind: "done" | "refused"; text: string } | null;

const ROLES: readonly Role[] = ["USER", "ADMIN"];
const NO_VARIABLES = {};

export function UsersTab() {
  const users = useConnection(UsersQuery, NO_VARIABLES, (data) => data.users);
  const now = useNow();
  const me = useUser();
  const [note, setNote] = useState<Note>(null);

  return (
    <>
      <h2 className="visually-hidden">Users</h2>
      <CreateUserForm onDone={setNote} />
      <div className={styles.note}>
        {note && (
          <p
            className={note.kind === "done" ? styles.done : "error"}
            role={note.kind === "done" ? "status" : "alert"}
          >
            {note.text}
          </p>
        )}
      </div>
      {users.error && <QueryError error={users.error} what="the users" />}
      {users.loading ? (
        <p className="muted" role="status">
          Loading users…
        </p>
      ) : (
        <div className="table-wrap">
          <table className={styles.users}>
            <caption className="visually-hidden">Users of the organisation, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.nodes.length === 0 && (
                <tr>
                  <td colSpan={6} className="empty">
                    No users yet.
                  </td>
                </tr>
              )}
              {users.nodes.map((user) => (
                <UserRow key={user.id} user={user} isMe={user.id === me.id} now={now} onDone={setNote} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore
        hasMore={users.hasMore}
        fetching={users.fetching && !users.loading}
        onLoad={users.loadMore}
        what="users"
      />
    </>
  );
}

function CreateUserForm({ onDone }: { onDone: (note: Note) => void }) {
  const [{ fetching }, createUser] = useMutation(CreateUserMutation);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = await createUser({
      email: String(form.get("email")).trim(),
      password: String(form.get("password")),
      role: form.get("role") === "ADMIN" ? "ADMIN" : "USER",
    });
    const payload = result.data?.createUser;
    if (payload?.__typename === "User") {
      formElement.reset();
      onDone({
        kind: "done",
        text: `Created ${payload.email} (${roleLabel(payload.role)}). They can sign in now.`,
      });
    } else if (payload) {
      onDone({ kind: "refused", text: `Not created: ${payload.message}` });
    } else if (result.error) {
      onDone({ kind: "refused", text: `Not created: ${errorWords(result.error)}` });
    }
  }

  return (
    <form
      className={styles.createForm}
      onSubmit={(event) => void submit(event)}
      aria-labelledby="create-user-title"
    >
      <h3 id="create-user-title" className={styles.formTitle}>
        Create user
      </h3>
      <div className={styles.fields}>
        <label>
          Email
          <input name="email" type="email" autoComplete="off" required maxLength={320} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            aria-describedby="create-user-password-hint"
          />
        </label>
        <label>
          Role
          <select name="role" defaultValue="USER">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {roleLabel(role)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button primary" disabled={fetching}>
          {fetching ? "Creating…" : "Create user"}
        </button>
      </div>
      <p id="create-user-password-hint" className={styles.hint}>
        12 characters at least. Share it with them privately; they can change it after signing in.
      </p>
    </form>
  );
}

function UserRow({
  user,
  isMe,
  now,
  onDone,
}: {
  user: User;
  isMe: boolean;
  now: Date;
  onDone: (note: Note) => void;
}) {
  const [{ fetching: changingRole }, updateUser] = useMutation(UpdateUserMutation);
  const [{ fetching: reactivating }, reactivateUser] = useMutation(ReactivateUserMutation);
  // The role asked for shows while the change travels and until the list is read again.
  const [requested, setRequested] = useState<Role | null>(null);
  const [seenRole, setSeenRole] = useState<Role>(user.role);
  if (seenRole !== user.role) {
    setSeenRole(user.role);
    setRequested(null);
  }

  async function changeRole(role: Role) {
    setRequested(role);
    const result = await updateUser({ id: user.id, role });
    const payload = result.data?.updateUser;
    if (payload?.__typename === "User") {
      onDone({
        kind: "done",
        text: `${payload.email} is now ${payload.role === "ADMIN" ? "an Admin" : "a User"}.`,
      });
      if (payload.role === user.role) setRequested(null);
    } else {
      setRequested(null);
      const why = payload ? payload.message : result.error ? errorWords(result.error) : "No answer.";
      onDone({ kind: "refused", text: `Role of ${user.email} not changed: ${why}` });
    }
  }

  async function reactivate() {
    const result = await reactivateUser({ id: user.id });
    const payload = result.data?.reactivateUser;
    if (payload?.__typename === "User") onDone({ kind: "done", text: `${payload.email} can sign in again.` });
    else {
      const why = payload ? payload.message : result.error ? errorWords(result.error) : "No answer.";
      onDone({ kind: "refused", text: `${user.email} not reactivated: ${why}` });
    }
  }

  return (
    <tr className={user.isActive ? undefined : styles.inactive}>
      <td className={styles.email}>
        {user.email}
        {isMe && <span className="muted"> (you)</span>}
      </td>
      <td>
        <select
          aria-label={`Role of ${user.email}`}
          value={requested ?? user.role}
          disabled={changingRole}
          onChange={(event) => void changeRole(event.target.value === "ADMIN" ? "ADMIN" : "USER")}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
      </td>
      <td>{user.isActive ? "Active" : "Deactivated"}</td>
      <td className={styles.nowrap}>
        {user.lastLoginAt ? <When iso={user.lastLoginAt} now={now} /> : "Never"}
      </td>
      <td className={styles.nowrap}>
        <time dateTime={user.createdAt}>{formatDate(user.createdAt)}</time>
      </td>
      <td className={styles.actions}>
        {user.isActive ? (
          <DeactivateButton user={user} isMe={isMe} onDone={onDone} />
        ) : (
          <button
            type="button"
            className="button"
            aria-label={`Reactivate ${user.email}`}
            disabled={reactivating}
            onClick={() => void reactivate()}
          >
            Reactivate
          </button>
        )}
      </td>
    </tr>
  );
}

function DeactivateButton({
  user,
  isMe,
  onDone,
}: {
  user: User;
  isMe: boolean;
  onDone: (note: Note) => void;
}) {
  const [open, setOpen] = useState(false);
  const [{ fetching }, deactivateUser] = useMutation(DeactivateUserMutation);

  async function confirm() {
    const result = await deactivateUser({ id: user.id });
    setOpen(false);
    const payload = result.data?.deactivateUser;
    if (payload?.__typename === "User")
      onDone({ kind: "done", text: `${payload.email} is deactivated and signed out everywhere.` });
    else {
      const why = payload ? payload.message : result.error ? errorWords(result.error) : "No answer.";
      onDone({ kind: "refused", text: `${user.email} not deactivated: ${why}` });
    }
  }

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <button type="button" className="button" aria-label={`Deactivate ${user.email}`}>
          Deactivate
        </button>
      </Dialog.Trigger>
      <ConfirmDialog
        title={`Deactivate ${user.email}?`}
        description={
          isMe
            ? "This is your own account: you will be signed out at once and cannot sign in until another admin reactivates you."
            : "They are signed out everywhere at once and cannot sign in until reactivated. Their documents and conversations stay."
        }
        confirmLabel="Deactivate"
        busy={fetching}
        onConfirm={() => void confirm()}
      />
    </Dialog.Root>
  );
}
