import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * Bootstrap's modal markup, shown by rendering it (no Bootstrap JavaScript). Escape and the Cancel button close it;
 * focus starts on Cancel, so Enter never confirms a destructive action by accident.
 */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && props.onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <div class="modal d-block" role="dialog" aria-modal="true" aria-labelledby="confirm-title">
        <div class="modal-dialog">
          <div class="modal-content">
            <div class="modal-header">
              <h2 class="modal-title fs-5" id="confirm-title">
                {props.title}
              </h2>
            </div>
            <div class="modal-body">{props.children}</div>
            <div class="modal-footer">
              <button ref={cancel} type="button" class="btn btn-outline-secondary" onClick={props.onCancel}>
                Cancel
              </button>
              <button type="button" class={`btn btn-${props.tone ?? 'danger'}`} onClick={props.onConfirm}>
                {props.confirmLabel}
              </button>
            </div>
          </div>
        </div>
      </div>
      <div class="modal-backdrop show" />
    </>
  );
}
