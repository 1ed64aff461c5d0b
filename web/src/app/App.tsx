import { Suspense, lazy } from "react";
import { Navigate, Route, Routes } from "react-router";

import { SignIn } from "../auth/SignIn";
import { ChatPage } from "../chat/ChatPage";
import { DocumentsPage } from "../documents/DocumentsPage";
import { OpenDocument } from "../open/OpenDocument";
import { useSessionState } from "./beacon";
import { Layout } from "./Layout";

// The admin pages are their own chunk: most people never load them.
const AdminPage = lazy(() => import("../admin/AdminPage"));

export function App() {
  const state = useSessionState();
  if (state.status === "restoring") {
    return (
      <main className="splash" aria-busy="true">
        <p>Loading Beacon…</p>
      </main>
    );
  }
  if (state.status === "signedOut") return <SignIn reason={state.reason} />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/chat" replace />} />
        <Route path="chat" element={<ChatPage />} />
        <Route path="chat/:conversationId" element={<ChatPage />} />
        <Route path="documents" element={<DocumentsPage />} />
        {/* Where citations lead: a stable link to a fresh signed download link. */}
        <Route path="open/:documentId" element={<OpenDocument />} />
        <Route
          path="admin/*"
          element={
            state.user.role === "ADMIN" ? (
              <Suspense fallback={<p className="page">Loading…</p>}>
                <AdminPage />
              </Suspense>
            ) : (
              <Navigate to="/chat" replace />
            )
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Use Chat or Documents above.</p>
    </section>
  );
}
