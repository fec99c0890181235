import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ta } from '../allergyText';
import type { Patient, PatientDiagnoses } from '../allergyTypes';
import { GradeBadge } from '../components/AllergyGuide';
import { Card, ErrorBox, Kbd, Spinner } from '../components/ui';
import { useApp } from '../context';
import { canDoAllergyCare } from '../logic/allergy';
import { describeError } from '../logic/errors';
import { formatDate, formatDateTime } from '../logic/format';
import { href, navigate } from '../router';
import { AllergyForbidden } from './AllergyPatients';

/** A patient: who they are, their diagnoses (each opens its guide), 진단 입력 and 고객 정보. */
export function AllergyPatientScreen({ id }: { id: string }) {
  const { user } = useApp();
  const [patient, setPatient] = useState<Patient | null>(null);
  const [history, setHistory] = useState<PatientDiagnoses | null>(null);
  const [error, setError] = useState<{ text: string; notFound: boolean } | null>(null);
  const allowed = canDoAllergyCare(user.role);

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    const enc = encodeURIComponent(id);
    api<Patient>('GET', `/api/v1/pro/patients/${enc}`)
      .then((r) => live && setPatient(r.data))
      .catch((e) => live && setError({ text: describeError(e), notFound: e instanceof ApiError && e.status === 404 }));
    api<PatientDiagnoses>('GET', `/api/v1/pro/diagnosis/patient/${enc}`)
      .then((r) => live && setHistory(r.data))
      .catch(() => live && setHistory({ patient: { id, name: '', patient_number: '' }, diagnoses: [], total: 0 }));
    return () => {
      live = false;
    };
  }, [id, allowed]);

  // D: 진단 입력, C: 고객 정보 (no field has focus, no dialog open).
  useEffect(() => {
    if (!allowed) return;
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
      if (document.querySelector('.modal')) return;
      const k = e.key.toLowerCase();
      if (k === 'd') navigate({ name: 'diagnosisNew', patientId: id });
      else if (k === 'c') navigate({ name: 'detail', id });
      else if (e.key === 'Escape') navigate({ name: 'allergyPatients' });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id, allowed]);

  if (!allowed) return <AllergyForbidden />;

  const back = (
    <a class="back-link" href={href({ name: 'allergyPatients' })} data-testid="patient-back">
      {ta('patient.back')}
    </a>
  );
  if (error && !patient) {
    return (
      <div class="screen allergy-screen">
        {back}
        <ErrorBox testid="patient-error">{error.notFound ? ta('patient.notFound') : error.text}</ErrorBox>
      </div>
    );
  }
  if (!patient) {
    return (
      <div class="screen allergy-screen">
        {back}
        <Spinner />
      </div>
    );
  }

  const diagnoses = history?.diagnoses ?? [];
  return (
    <div class="screen allergy-screen" data-testid="allergy-patient-screen" data-patient-id={patient.id} data-patient-number={patient.patient_number}>
      {back}
      <div class="detail-head">
        <div class="detail-title">
          <div class="avatar-lg" aria-hidden="true">
            {patient.name.slice(0, 1)}
          </div>
          <div>
            <div class="title-line">
              <h1 data-testid="patient-title">{patient.name}</h1>
              <span class="badge patient-number-badge mono" data-testid="patient-number-badge">
                {patient.patient_number}
              </span>
            </div>
            <div class="sub-line muted">
              {patient.birth_date ? <span class="mono">{formatDate(patient.birth_date)}</span> : null}
              {patient.assigned_doctor ? <span>{patient.assigned_doctor.name}</span> : null}
            </div>
          </div>
        </div>
        <div class="detail-actions">
          <button type="button" class="btn btn-primary" data-testid="patient-diagnose" onClick={() => navigate({ name: 'diagnosisNew', patientId: patient.id })}>
            {ta('patient.diagnose')} <Kbd>D</Kbd>
          </button>
          <button type="button" class="btn btn-outline" data-testid="patient-customer" onClick={() => navigate({ name: 'detail', id: patient.customer_id })}>
            {ta('patient.customer')} <Kbd>C</Kbd>
          </button>
        </div>
      </div>

      <div class="allergy-patient-grid">
        <Card heading={ta('patient.info')} data-testid="patient-info">
          <dl class="kv">
            <dt>{ta('patient.number')}</dt>
            <dd class="mono" data-testid="patient-info-number">
              {patient.patient_number}
            </dd>
            <dt>{ta('patients.col.name')}</dt>
            <dd>{patient.name}</dd>
            <dt>{ta('patient.birthDate')}</dt>
            <dd class="mono">{formatDate(patient.birth_date)}</dd>
            <dt>{ta('patient.phone')}</dt>
            <dd class="mono">{patient.phone || '—'}</dd>
            <dt>{ta('patient.doctor')}</dt>
            <dd>{patient.assigned_doctor?.name ?? '—'}</dd>
            <dt>{ta('patient.registered')}</dt>
            <dd class="mono">{formatDateTime(patient.registered_at)}</dd>
            <dt>{ta('patient.consent')}</dt>
            <dd>{patient.consent_signed ? <span class="yes">{ta('patient.consentYes')}</span> : <span class="no">{ta('patient.consentNo')}</span>}</dd>
          </dl>
        </Card>

        <Card
          heading={
            <>
              {ta('patient.history')} <span class="count">{history?.total ?? diagnoses.length}</span>
            </>
          }
          data-testid="patient-history"
        >
          {history === null ? <Spinner /> : null}
          {history && diagnoses.length === 0 ? (
            <div class="empty" data-testid="patient-history-empty">
              {ta('patient.historyEmpty')}
            </div>
          ) : null}
          {diagnoses.length ? (
            <div class="table-wrap flat">
              <table class="table results" data-testid="patient-history-table">
                <thead>
                  <tr>
                    <th>{ta('patient.col.date')}</th>
                    <th class="num">{ta('patient.col.tested')}</th>
                    <th class="num">{ta('patient.col.high')}</th>
                    <th class="center">{ta('patient.col.max')}</th>
                    <th>{ta('patient.col.kit')}</th>
                    <th class="col-optional">{ta('patient.col.version')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {diagnoses.map((d) => (
                    <tr key={d.id} data-testid="patient-diagnosis-row" data-diagnosis-id={d.id} onClick={() => navigate({ name: 'diagnosis', id: d.id })}>
                      <td class="mono nowrap">{formatDate(d.diagnosis_date)}</td>
                      <td class="num mono">{ta('patient.testedN', { n: d.summary.total_tested })}</td>
                      <td class="num mono">{d.summary.high_risk_count > 0 ? <b class="text-red">{d.summary.high_risk_count}</b> : 0}</td>
                      <td class="center">{d.summary.max_grade === null ? '—' : <GradeBadge grade={d.summary.max_grade} />}</td>
                      <td class="mono nowrap">{d.kit_serial ?? <span class="muted">—</span>}</td>
                      <td class="mono nowrap col-optional">{d.knowledge_version}</td>
                      <td class="actions-col">
                        <a class="btn btn-ghost btn-xs" href={href({ name: 'diagnosis', id: d.id })} data-testid="patient-open-guide" onClick={(e) => e.stopPropagation()}>
                          {ta('patient.openGuide')}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Card>
      </div>
    </div>
  );
}
