import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Lang } from './i18n';
import type { Role, User } from './types';

export interface AppCtx {
  user: User;
  lang: Lang;
}

export const AppContext = createContext<AppCtx | null>(null);

export function useApp(): AppCtx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('AppContext missing');
  return ctx;
}

/** Roles that read and write the health fields (health_goals, health_interests, preferred_intensity). */
export function canSeeHealth(role: Role | string | undefined): boolean {
  return role === 'doctor' || role === 'admin';
}

/** Roles that may cancel a visit or a purchase. */
export function canCancelVisits(role: Role | string | undefined): boolean {
  return role === 'manager' || role === 'admin';
}

// ---------------------------------------------------------------------------------------------
// Toasts: short confirmations after a save, shown where they cover no button (components/ui.tsx).

export type ToastKind = 'success' | 'error' | 'info';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

let nextId = 1;
let toasts: Toast[] = [];
const toastListeners = new Set<(t: Toast[]) => void>();

export function toast(text: string, kind: ToastKind = 'success', ms = 3500): void {
  const item = { id: nextId++, kind, text };
  toasts = [...toasts, item];
  toastListeners.forEach((fn) => fn(toasts));
  setTimeout(() => dismissToast(item.id), ms);
}

export function dismissToast(id: number): void {
  toasts = toasts.filter((x) => x.id !== id);
  toastListeners.forEach((fn) => fn(toasts));
}

export function onToasts(fn: (t: Toast[]) => void): () => void {
  toastListeners.add(fn);
  return () => toastListeners.delete(fn);
}
