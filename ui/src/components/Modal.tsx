import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: Esc closes, Tab stays inside, focus goes to the element marked
 * `data-autofocus` (or the first focusable one) and returns where it was on close.
 * `closable={false}`: only the dialog's own buttons close it — no ×, Esc or click beside it
 * (a dialog whose content is gone for good once closed).
 */
export function Modal(props: {
  title: string;
  onClose: () => void;
  testid: string;
  children: ComponentChildren;
  footer?: ComponentChildren;
  width?: number;
  busy?: boolean;
  closable?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef(props.onClose);
  closeRef.current = props.onClose;
  // Busy or not closable: Esc, × and a click beside the dialog do nothing.
  const blocked = props.busy || props.closable === false;
  const busyRef = useRef(blocked);
  busyRef.current = blocked;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const root = ref.current;
    const first =
      root?.querySelector<HTMLElement>('[data-autofocus]') ??
      Array.from(root?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? []).find((el) => el.tabIndex >= 0) ??
      root;
    first?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    // Not closable: no shortcut of the page (Ctrl+K to the search, …) leaves it either.
    if (props.closable === false) e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (!busyRef.current) closeRef.current();
      return;
    }
    if (e.key === 'Tab' && ref.current) {
      const items = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.tabIndex >= 0);
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div
      class="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget && !blocked) props.onClose();
      }}
    >
      <div
        class="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${props.testid}-title`}
        data-testid={props.testid}
        ref={ref}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        style={props.width ? { width: `${props.width}px` } : undefined}
      >
        <header class="modal-head">
          <h2 id={`${props.testid}-title`}>{props.title}</h2>
          {props.closable === false ? null : (
            <button type="button" class="icon-btn" aria-label={t('common.close')} onClick={() => !props.busy && props.onClose()} tabIndex={-1}>
              ×
            </button>
          )}
        </header>
        <div class="modal-body">{props.children}</div>
        {props.footer ? <footer class="modal-foot">{props.footer}</footer> : null}
      </div>
    </div>
  );
}
