// The content of a confirmation dialog: a question, what it means, Cancel and the dangerous
// action. The caller owns the Radix Dialog.Root (and its trigger, if any).

import * as Dialog from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

export function ConfirmDialog({
  title,
  description,
  confirmLabel,
  busy,
  error = null,
  onConfirm,
  onCloseAutoFocus,
}: {
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  busy: boolean;
  error?: string | null;
  onConfirm: () => void;
  onCloseAutoFocus?: (event: Event) => void;
}) {
  return (
    <Dialog.Portal>
      {/* A plain backdrop, not Dialog.Overlay: the Overlay locks scrolling by inserting a
          <style> element, which Beacon's Content-Security-Policy (style-src 'self') refuses with
          a console error. The modal Content still traps focus and hides the rest of the page
          from assistive technology, and a press outside it closes the dialog. */}
      <div className="dialog-overlay" />
      <Dialog.Content className="dialog" onCloseAutoFocus={onCloseAutoFocus}>
        <Dialog.Title>{title}</Dialog.Title>
        <Dialog.Description>{description}</Dialog.Description>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <Dialog.Close asChild>
            <button type="button" className="button">
              Cancel
            </button>
          </Dialog.Close>
          <button type="button" className="button danger" disabled={busy} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </div>
      </Dialog.Content>
    </Dialog.Portal>
  );
}
