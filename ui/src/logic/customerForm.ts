// The customer form's model: from a customer to input values and back to the request body.
// Create sends every filled field; edit sends only the fields that changed (null clears).

import type { Customer } from '../types';
import { isMasked } from './format';

export interface FormState {
  name: string;
  phone: string;
  email: string;
  birth_year: string;
  gender: string;
  address: string;
  emergency_contact: string;
  occupation: string;
  membership_level: string;
  customer_status: string;
  preferred_time_slots: string[];
  preferred_services: string[];
  assigned_staff: string;
  memo: string;
  preferred_channels: string[];
  contact_time: string;
  consent_privacy: boolean;
  consent_marketing: boolean;
  consent_health_data: boolean;
  health_goals: string;
  health_interests: string[];
  preferred_intensity: string;
}

export type FormKey = keyof FormState;

export const TEXT_FIELDS = [
  'name',
  'phone',
  'email',
  'gender',
  'address',
  'emergency_contact',
  'occupation',
  'membership_level',
  'customer_status',
  'assigned_staff',
  'memo',
] as const;

export const LIST_FIELDS = ['preferred_time_slots', 'preferred_services'] as const;
export const HEALTH_FIELDS = ['health_goals', 'health_interests', 'preferred_intensity'] as const;
export const MASKABLE_FIELDS = ['phone', 'email', 'address', 'emergency_contact'] as const;

export function toFormState(c: Customer | null): FormState {
  const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const cp = c?.communication_preferences ?? {};
  const consent = c?.consent ?? {};
  return {
    name: s(c?.name),
    phone: s(c?.phone),
    email: s(c?.email),
    birth_year: s(c?.birth_year),
    gender: s(c?.gender),
    address: s(c?.address),
    emergency_contact: s(c?.emergency_contact),
    occupation: s(c?.occupation),
    membership_level: c ? s(c.membership_level).toLowerCase() : 'basic',
    customer_status: c ? s(c.customer_status).toLowerCase() : 'active',
    preferred_time_slots: [...(c?.preferred_time_slots ?? [])],
    preferred_services: [...(c?.preferred_services ?? [])],
    assigned_staff: s(c?.assigned_staff),
    memo: s(c?.memo),
    preferred_channels: [...(cp?.preferred_channels ?? [])],
    contact_time: s(cp?.contact_time),
    consent_privacy: consent?.privacy === true,
    consent_marketing: consent?.marketing === true,
    consent_health_data: consent?.health_data === true,
    health_goals: s(c?.health_goals),
    health_interests: [...(c?.health_interests ?? [])],
    preferred_intensity: s(c?.preferred_intensity),
  };
}

/** Client-side checks that mirror the server's, so the obvious mistakes need no round trip. */
export type LocalProblem = 'required' | 'birth_year' | 'privacy_consent' | 'health_consent';

export function validateLocal(state: FormState, mode: 'create' | 'edit', original?: Customer | null, canHealth = false): Partial<Record<FormKey, LocalProblem>> {
  const errors: Partial<Record<FormKey, LocalProblem>> = {};
  if (state.name.trim() === '') errors.name = 'required';
  const phoneUnchangedMasked = mode === 'edit' && isMasked(original?.phone) && state.phone === original?.phone;
  if (state.phone.trim() === '' && !phoneUnchangedMasked) errors.phone = 'required';
  const by = state.birth_year.trim();
  if (by !== '') {
    const n = Number(by);
    const year = new Date().getFullYear();
    if (!/^\d{4}$/.test(by) || n < 1900 || n > year) errors.birth_year = 'birth_year';
  }
  // Korean privacy law: no registration without the privacy consent, no health data without its own.
  if (mode === 'create' && !state.consent_privacy) errors.consent_privacy = 'privacy_consent';
  if (canHealth && !state.consent_health_data) {
    const before = toFormState(original ?? null);
    const written =
      (state.health_goals.trim() !== '' && state.health_goals.trim() !== before.health_goals.trim()) ||
      (state.health_interests.length > 0 && !sameList(state.health_interests, before.health_interests)) ||
      (state.preferred_intensity !== '' && state.preferred_intensity !== before.preferred_intensity);
    if (written) errors.consent_health_data = 'health_consent';
  }
  return errors;
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function birthYear(v: string): number | string | null {
  const t = v.trim();
  if (t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** Request body for POST /api/v1/customers. */
export function buildCreatePayload(state: FormState, canHealth: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of TEXT_FIELDS) {
    const v = state[f].trim();
    if (v !== '') body[f] = v;
  }
  const by = birthYear(state.birth_year);
  if (by !== null) body.birth_year = by;
  for (const f of LIST_FIELDS) if (state[f].length) body[f] = [...state[f]];
  if (state.preferred_channels.length || state.contact_time) {
    body.communication_preferences = {
      preferred_channels: [...state.preferred_channels],
      contact_time: state.contact_time || null,
    };
  }
  body.consent = {
    privacy: state.consent_privacy,
    marketing: state.consent_marketing,
    health_data: state.consent_health_data,
  };
  if (canHealth) {
    if (state.health_goals.trim()) body.health_goals = state.health_goals.trim();
    if (state.health_interests.length) body.health_interests = [...state.health_interests];
    if (state.preferred_intensity) body.preferred_intensity = state.preferred_intensity;
  }
  return body;
}

/** Request body for PUT /api/v1/customers/{id}: only what changed; an emptied field is null. */
export function buildUpdatePayload(original: Customer, state: FormState, canHealth: boolean): Record<string, unknown> {
  const before = toFormState(original);
  const body: Record<string, unknown> = {};
  for (const f of TEXT_FIELDS) {
    const now = state[f].trim();
    if (now !== before[f].trim()) body[f] = now === '' ? null : now;
  }
  if (state.birth_year.trim() !== before.birth_year.trim()) body.birth_year = birthYear(state.birth_year);
  for (const f of LIST_FIELDS) if (!sameList(state[f], before[f])) body[f] = [...state[f]];
  if (!sameList(state.preferred_channels, before.preferred_channels) || state.contact_time !== before.contact_time) {
    body.communication_preferences = {
      preferred_channels: [...state.preferred_channels],
      contact_time: state.contact_time || null,
    };
  }
  if (
    state.consent_privacy !== before.consent_privacy ||
    state.consent_marketing !== before.consent_marketing ||
    state.consent_health_data !== before.consent_health_data
  ) {
    body.consent = {
      privacy: state.consent_privacy,
      marketing: state.consent_marketing,
      health_data: state.consent_health_data,
    };
  }
  if (canHealth) {
    const g = state.health_goals.trim();
    if (g !== before.health_goals.trim()) body.health_goals = g === '' ? null : g;
    if (!sameList(state.health_interests, before.health_interests)) body.health_interests = [...state.health_interests];
    if (state.preferred_intensity !== before.preferred_intensity) body.preferred_intensity = state.preferred_intensity || null;
  }
  return body;
}

const FORM_KEYS: readonly FormKey[] = Object.keys(toFormState(null)) as FormKey[];

/**
 * Which form input an API error's `field` refers to: `phone` → phone,
 * `consent.marketing` → consent_marketing, `communication_preferences.contact_time` →
 * contact_time, `health_interests[2]` → health_interests. Null when the form has no such input.
 */
export function formKeyForField(field: string | null | undefined): FormKey | null {
  if (!field) return null;
  const f = field.replace(/\[\d+\]$/, '').replace(/\.\d+$/, '').trim();
  if ((FORM_KEYS as readonly string[]).includes(f)) return f as FormKey;
  if (f === 'consent' || f === 'consent.privacy') return 'consent_privacy';
  if (f === 'consent.marketing') return 'consent_marketing';
  if (f === 'consent.health_data') return 'consent_health_data';
  if (f === 'communication_preferences' || f === 'communication_preferences.preferred_channels') return 'preferred_channels';
  if (f === 'communication_preferences.contact_time') return 'contact_time';
  const last = f.split('.').pop() ?? '';
  if ((FORM_KEYS as readonly string[]).includes(last)) return last as FormKey;
  return null;
}
