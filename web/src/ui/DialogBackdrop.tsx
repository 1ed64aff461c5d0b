/**
 * The dimmed page behind a Radix dialog. Not Dialog.Overlay: the Overlay locks scrolling by
 * inserting a <style> element, which Beacon's Content-Security-Policy (style-src 'self')
 * refuses with a console error. A modal Dialog.Content still traps focus and hides the rest of
 * the page from assistive technology, and a press outside it closes the dialog.
 */
export function DialogBackdrop() {
  return <div className="dialog-overlay" />;
}
