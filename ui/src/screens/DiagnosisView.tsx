import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { gradeBoundsOf, loadKnowledge, sourcesById } from '../allergyData';
import { ta } from '../allergyText';
import type { DiagnosisDetail, KnowledgeVersionDetail } from '../allergyTypes';
import { AllergyGuide } from '../components/AllergyGuide';
import { ErrorBox, Spinner } from '../components/ui';
import { useApp } from '../context';
import { canDoAllergyCare } from '../logic/allergy';
import { describeError } from '../logic/errors';
import { formatDateTime } from '../logic/format';
import { href, navigate } from '../router';
import { loadClinicSettings } from './ClinicSettings';
import { AllergyForbidden } from './AllergyPatients';

/** One stored diagnosis as its guide (the prescription saved with it), printable. */
export function DiagnosisViewScreen({ id }: { id: string }) {
  const { user } = useApp();
  const allowed = canDoAllergyCare(user.role);
  const [d, setD] = useState<DiagnosisDetail | null>(null);
  const [knowledge, setKnowledge] = useState<KnowledgeVersionDetail | null>(null);
  const [clinic, setClinic] = useState<string | null>(null);
  const [error, setError] = useState<{ text: string; notFound: boolean } | null>(null);

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    api<DiagnosisDetail>('GET', `/api/v1/pro/diagnosis/${encodeURIComponent(id)}`)
      .then((r) => {
        if (!live) return;
        setD(r.data);
        // The citations of the version that made it (a version never changes).
        loadKnowledge(r.data.knowledge_version)
          .then((k) => live && setKnowledge(k))
          .catch(() => {
            /* the sources are listed by id */
          });
      })
      .catch((e) => live && setError({ text: describeError(e), notFound: e instanceof ApiError && e.status === 404 }));
    loadClinicSettings()
      .then((s) => live && setClinic(s.name ?? null))
      .catch(() => {
        /* printed without the clinic's name */
      });
    return () => {
      live = false;
    };
  }, [id, allowed]);

  if (!allowed) return <AllergyForbidden />;

  if (error && !d) {
    return (
      <div class="screen allergy-screen">
        <ErrorBox testid="diagnosis-error">{error.notFound ? ta('diagnosis.notFound') : error.text}</ErrorBox>
      </div>
    );
  }
  if (!d) {
    return (
      <div class="screen allergy-screen">
        <Spinner />
      </div>
    );
  }

  return (
    <div class="screen allergy-screen diagnosis-screen" data-testid="diagnosis-screen" data-diagnosis-id={d.id}>
      <div class="screen-head no-print">
        <a class="back-link" href={href({ name: 'allergyPatient', id: d.patient.id })} data-testid="diagnosis-back">
          {ta('diagnosis.back')}
        </a>
        <span class="muted small">{d.created_by ? ta('diagnosis.by', { name: d.created_by.name, time: formatDateTime(d.created_at) }) : null}</span>
      </div>
      <AllergyGuide
        patient={d.patient}
        diagnosisDate={d.diagnosis_date}
        results={d.results}
        prescription={d.prescription}
        knowledgeVersion={d.knowledge_version}
        kitSerial={d.kit_serial}
        doctorName={d.created_by?.name ?? null}
        clinicName={clinic}
        sources={sourcesById(knowledge)}
        gradeBounds={gradeBoundsOf(knowledge)}
        actions={
          <button type="button" class="btn btn-outline" data-testid="diagnosis-new" onClick={() => navigate({ name: 'diagnosisNew', patientId: d.patient.id })}>
            {ta('diagnosis.newDiagnosis')}
          </button>
        }
      />
    </div>
  );
}
