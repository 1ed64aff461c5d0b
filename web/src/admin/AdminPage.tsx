// The admin pages: one tab per concern, each at its own address (/admin/users, /admin/usage...).

import * as Tabs from "@radix-ui/react-tabs";
import { type ComponentType } from "react";
import { Navigate, useNavigate, useParams } from "react-router";

import { AuditTab } from "./AuditTab";
import { FeedbackTab } from "./FeedbackTab";
import { HealthTab } from "./HealthTab";
import { SettingsTab } from "./SettingsTab";
import { UsageTab } from "./UsageTab";
import { UsersTab } from "./UsersTab";
import styles from "./Admin.module.css";

const TABS: readonly { value: string; label: string; Panel: ComponentType }[] = [
  { value: "users", label: "Users", Panel: UsersTab },
  { value: "usage", label: "Usage", Panel: UsageTab },
  { value: "feedback", label: "Feedback", Panel: FeedbackTab },
  { value: "audit", label: "Audit log", Panel: AuditTab },
  { value: "health", label: "Index health", Panel: HealthTab },
  { value: "settings", label: "Settings", Panel: SettingsTab },
];

export default function AdminPage() {
  const navigate = useNavigate();
  const tab = (useParams()["*"] ?? "").split("/")[0];
  const current = TABS.find((candidate) => candidate.value === tab);
  if (!current) return <Navigate to="/admin/users" replace />;
  return (
    <section className={`page ${styles.admin}`}>
      <h1>Admin</h1>
      <Tabs.Root
        value={current.value}
        onValueChange={(value) => void navigate(`/admin/${value}`)}
        // Arrow keys move between tabs; Enter or Space opens one, so passing a tab by keyboard
        // does not load it.
        activationMode="manual"
      >
        <Tabs.List aria-label="Admin sections" className={styles.tabs}>
          {TABS.map(({ value, label }) => (
            <Tabs.Trigger key={value} value={value} className={styles.tab}>
              {label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {TABS.map(({ value, Panel }) => (
          <Tabs.Content key={value} value={value} className={styles.panel}>
            <Panel />
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </section>
  );
}
