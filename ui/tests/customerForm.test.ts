import { describe, expect, it } from 'vitest';
import { buildCreatePayload, buildUpdatePayload, formKeyForField, toFormState, validateLocal } from '../src/logic/customerForm';
import type { Customer } from '../src/types';

const customer: Customer = {
  id: 'c1',
  name: '김영희',
  phone: '010-1234-5678',
  email: 'kim@example.com',
  birth_year: 1985,
  gender: 'female',
  address: '서울시 강남구 테헤란로 1',
  emergency_contact: null,
  occupation: '회사원',
  membership_level: 'vip',
  customer_status: 'active',
  health_goals: '수면 개선',
  health_interests: ['sleep_quality'],
  preferred_intensity: 'medium',
  preferred_time_slots: ['morning', 'weekend'],
  preferred_services: ['brain', 'pulse'],
  assigned_staff: '이직원',
  memo: null,
  communication_preferences: { preferred_channels: ['kakao'], contact_time: 'morning' },
  consent: { privacy: true, marketing: false, health_data: true, updated_at: '2024-01-01T00:00:00Z' },
};

describe('customer form model', () => {
  it('create sends filled fields only, with defaults and consent', () => {
    const s = toFormState(null);
    s.name = ' 박민수 ';
    s.phone = '010-2222-3333';
    s.birth_year = '1990';
    s.preferred_services = ['red'];
    s.health_goals = '체중 감량';
    const body = buildCreatePayload(s, false);
    expect(body).toEqual({
      name: '박민수',
      phone: '010-2222-3333',
      membership_level: 'basic',
      customer_status: 'active',
      birth_year: 1990,
      preferred_services: ['red'],
      consent: { privacy: false, marketing: false, health_data: false },
    });
    expect(buildCreatePayload(s, true).health_goals).toBe('체중 감량');
  });

  it('edit sends only the changed fields, and null for a cleared one', () => {
    const s = toFormState(customer);
    expect(buildUpdatePayload(customer, s, true)).toEqual({});
    s.occupation = '프리랜서';
    s.email = '';
    s.preferred_time_slots = ['weekend', 'morning']; // same set, other order: unchanged
    const body = buildUpdatePayload(customer, s, true);
    expect(body).toEqual({ occupation: '프리랜서', email: null });
  });

  it('edit sends nested objects whole when one part changes', () => {
    const s = toFormState(customer);
    s.contact_time = 'evening';
    s.consent_marketing = true;
    expect(buildUpdatePayload(customer, s, false)).toEqual({
      communication_preferences: { preferred_channels: ['kakao'], contact_time: 'evening' },
      consent: { privacy: true, marketing: true, health_data: true },
    });
  });

  it('never sends health fields for roles that may not write them', () => {
    const s = toFormState(customer);
    s.health_goals = '바뀜';
    s.preferred_intensity = 'high';
    expect(buildUpdatePayload(customer, s, false)).toEqual({});
    expect(buildUpdatePayload(customer, s, true)).toEqual({ health_goals: '바뀜', preferred_intensity: 'high' });
  });

  it('leaves masked values alone unless they were retyped', () => {
    const masked: Customer = { ...customer, phone: '010-****-5678', email: 'k***@example.com' };
    const s = toFormState(masked);
    expect(buildUpdatePayload(masked, s, false)).toEqual({});
    expect(validateLocal(s, 'edit', masked)).toEqual({});
    s.phone = '010-9999-8888';
    expect(buildUpdatePayload(masked, s, false)).toEqual({ phone: '010-9999-8888' });
  });

  it('checks required fields and the birth year locally', () => {
    const s = toFormState(null);
    expect(validateLocal(s, 'create')).toEqual({ name: 'required', phone: 'required', consent_privacy: 'privacy_consent' });
    s.name = 'a';
    s.phone = '010-1111-2222';
    s.consent_privacy = true;
    s.birth_year = '85';
    expect(validateLocal(s, 'create')).toEqual({ birth_year: 'birth_year' });
  });

  it('needs the health-data consent for new health values, not for untouched or cleared ones', () => {
    const s = toFormState(null);
    Object.assign(s, { name: 'a', phone: '010-1111-2222', consent_privacy: true, preferred_intensity: 'low' });
    expect(validateLocal(s, 'create', null, true)).toEqual({ consent_health_data: 'health_consent' });
    // A role without health access sends none.
    expect(validateLocal(s, 'create', null, false)).toEqual({});
    s.consent_health_data = true;
    expect(validateLocal(s, 'create', null, true)).toEqual({});
    const stored: Customer = { ...customer, health_goals: '수면', consent: { privacy: true, health_data: false } };
    const edit = toFormState(stored);
    expect(validateLocal(edit, 'edit', stored, true)).toEqual({});
    edit.health_goals = '';
    expect(validateLocal(edit, 'edit', stored, true)).toEqual({});
  });

  it('maps API error fields to form inputs', () => {
    expect(formKeyForField('phone')).toBe('phone');
    expect(formKeyForField('consent.marketing')).toBe('consent_marketing');
    expect(formKeyForField('communication_preferences.contact_time')).toBe('contact_time');
    expect(formKeyForField('communication_preferences.preferred_channels[1]')).toBe('preferred_channels');
    expect(formKeyForField('health_interests[2]')).toBe('health_interests');
    expect(formKeyForField('nonsense')).toBeNull();
    expect(formKeyForField(null)).toBeNull();
  });
});
