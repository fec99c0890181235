import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ta } from '../allergyText';
import type { AllergyAlert } from '../allergyTypes';
import { canDoAllergyCare } from '../logic/allergy';
import { formatDate } from '../logic/format';
import { href } from '../router';
import type { Role } from '../types';

/**
 * On a customer's detail, for every role: a red banner when the customer's latest diagnosis has
 * high-risk allergens ("알레르기 주의: 땅콩, 새우 — 고위험"), so that whoever serves them (oils,
 * gloves, snacks) avoids them. Doctors and administrators also get the way to the allergy
 * patient, or a button to register the customer as one. Nothing when the alert cannot be read.
 */
export function AllergyAlertBanner({ customerId, role }: { customerId: string; role: Role | string }) {
  const [alert, setAlert] = useState<AllergyAlert | null>(null);

  useEffect(() => {
    let live = true;
    setAlert(null);
    api<AllergyAlert>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}/allergy-alert`)
      .then((r) => live && setAlert(r.data ?? null))
      .catch(() => {
        /* no banner: the detail is what matters here */
      });
    return () => {
      live = false;
    };
  }, [customerId]);

  if (!alert) return null;
  const high = alert.high_risk_allergens ?? [];
  const care = canDoAllergyCare(role);
  if (high.length === 0 && !care) return null;

  const link = care ? (
    alert.patient_number ? (
      <a class="btn btn-sm btn-outline allergy-link" href={href({ name: 'allergyPatient', id: customerId })} data-testid="allergy-patient-link">
        {ta('alert.openPatient', { number: alert.patient_number })} →
      </a>
    ) : (
      <a class="btn btn-sm btn-outline allergy-link" href={href({ name: 'allergyPatientNew', customerId })} data-testid="allergy-register-button">
        + {ta('alert.register')}
      </a>
    )
  ) : null;

  if (high.length === 0) {
    return (
      <div class="allergy-care-line" data-testid="allergy-care-line">
        {link}
      </div>
    );
  }
  const names = high.map((a) => a.name_ko || a.allergen).join(', ');
  return (
    <div class="allergy-alert" role="alert" data-testid="allergy-alert" data-allergens={high.map((a) => a.allergen).join(',')}>
      <svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" class="allergy-alert-icon">
        <path d="M10 2.5 18.5 17h-17z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
        <path d="M10 8v4" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
        <circle cx="10" cy="14.6" r="1" fill="currentColor" />
      </svg>
      <span class="allergy-alert-text" data-testid="allergy-alert-text">
        {ta('alert.banner', { names })}
      </span>
      {alert.diagnosis_date ? <span class="allergy-alert-date">{ta('alert.date', { date: formatDate(alert.diagnosis_date) })}</span> : null}
      {link}
    </div>
  );
}
