import { NavLink, Outlet } from "react-router";

import { useConnectionState, useSessionManager, useUser } from "./beacon";

export function Layout() {
  const user = useUser();
  const session = useSessionManager();
  const connection = useConnectionState();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="brand">
          <span className="brand-name">Beacon</span>
          <span className="brand-org">{user.organization.name}</span>
        </div>
        <nav aria-label="Main" className="nav">
          <NavLink to="/chat">Chat</NavLink>
          <NavLink to="/documents">Documents</NavLink>
          {user.role === "ADMIN" && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="account">
          <span className="account-email" title={user.email}>
            {user.email}
          </span>
          <button type="button" className="button quiet" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {connection === "offline" && (
        <div className="banner" role="status">
          Connection lost. Beacon will reconnect by itself; live updates resume then.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
