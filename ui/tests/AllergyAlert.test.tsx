import { render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { AllergyAlertBanner } from '../src/components/AllergyAlert';
import { AllergyGuide } from '../src/components/AllergyGuide';
import { CustomerDetailScreen } from '../src/screens/CustomerDetail';
import type { Role } from '../src/types';
import { diagnosisFixture } from './allergyFixtures';
import { setupApi, WithUser } from './helpers';

const patientAlert = {
  customer_id: 'c-1',
  patient_number: 'P-2026-0007',
  high_risk_allergens: [
    { allergen: 'peanut', name_ko: '땅콩' },
    { allergen: 'shrimp', name_ko: '새우' },
  ],
  diagnosis_date: '2026-12-07',
};

function renderBanner(role: Role, alert: unknown, status = 200) {
  const api = setupApi({
    'GET /api/v1/customers/c-1/allergy-alert': () => (status === 200 ? { data: alert } : { status, error: { code: 'CUSTOMER_NOT_FOUND', message: '고객을 찾을 수 없습니다' } }),
  });
  render(
    <WithUser role={role}>
      <div data-testid="host">
        <AllergyAlertBanner customerId="c-1" role={role} />
      </div>
    </WithUser>,
  );
  return api;
}

describe('the allergy alert on a customer', () => {
  for (const role of ['staff', 'manager', 'doctor', 'admin'] as Role[]) {
    it(`${role} sees the red banner naming the high-risk allergens of the latest diagnosis`, async () => {
      renderBanner(role, patientAlert);
      const banner = await screen.findByTestId('allergy-alert');
      expect(banner.getAttribute('role')).toBe('alert');
      expect(screen.getByTestId('allergy-alert-text').textContent).toBe('알레르기 주의: 땅콩, 새우 — 고위험');
      expect(banner.textContent).toContain('2026-12-07 진단');
      expect(banner.getAttribute('data-allergens')).toBe('peanut,shrimp');
    });
  }

  it('staff and managers get no way into the allergy records', async () => {
    for (const role of ['staff', 'manager'] as Role[]) {
      renderBanner(role, patientAlert);
      await screen.findByTestId('allergy-alert');
      expect(screen.queryByTestId('allergy-patient-link')).toBeNull();
      expect(screen.queryByTestId('allergy-register-button')).toBeNull();
      screen.getByTestId('host').remove();
    }
  });

  it('doctors and administrators get the link to the patient', async () => {
    renderBanner('doctor', patientAlert);
    const link = await screen.findByTestId('allergy-patient-link');
    expect(link.getAttribute('href')).toBe('#/allergy/patients/c-1');
    expect(link.textContent).toContain('P-2026-0007');
  });

  it('no high-risk allergen: nothing for staff, the patient link for a doctor', async () => {
    const calm = { ...patientAlert, high_risk_allergens: [] };
    const api = renderBanner('staff', calm);
    await waitFor(() => expect(api.calls.some((c) => c.path.endsWith('/allergy-alert'))).toBe(true));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('host').textContent).toBe('');
    screen.getByTestId('host').remove();
    renderBanner('admin', calm);
    expect((await screen.findByTestId('allergy-patient-link')).textContent).toContain('P-2026-0007');
    expect(screen.queryByTestId('allergy-alert')).toBeNull();
  });

  it('not a patient: doctors and administrators may register the customer as one', async () => {
    const none = { customer_id: 'c-1', patient_number: null, high_risk_allergens: [], diagnosis_date: null };
    renderBanner('doctor', none);
    const button = await screen.findByTestId('allergy-register-button');
    expect(button.textContent).toContain('알레르기 환자로 등록');
    expect(button.getAttribute('href')).toBe('#/allergy/patients/new?customer_id=c-1');
  });

  it('an alert that cannot be read shows nothing (the detail still works)', async () => {
    const api = renderBanner('doctor', null, 404);
    await waitFor(() => expect(api.calls).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('host').textContent).toBe('');
  });

  it('is on the customer detail, under its header', async () => {
    setupApi({
      'GET /api/v1/customers/c-1/detail': () => ({
        data: { customer: { id: 'c-1', name: '김영희', phone: '010-****-5678' }, serviceHistory: [], activePackages: [], preferences: null },
      }),
      'GET /api/v1/customers/c-1/interactions': () => ({ data: { customer_id: 'c-1', interactions: [] } }),
      'GET /api/v1/customers/c-1/allergy-alert': () => ({ data: patientAlert }),
    });
    render(
      <WithUser role="staff">
        <CustomerDetailScreen id="c-1" />
      </WithUser>,
    );
    const banner = await screen.findByTestId('allergy-alert');
    expect(banner.textContent).toContain('땅콩, 새우');
    // Between the header and the stats.
    const detail = screen.getByTestId('customer-detail');
    const order = Array.from(detail.children).map((el) => el.getAttribute('data-testid') ?? el.className);
    expect(order.indexOf('allergy-alert')).toBeGreaterThan(order.indexOf('detail-head'));
    expect(order.indexOf('allergy-alert')).toBeLessThan(order.indexOf('customer-stats'));
  });
});

describe('the guide (AllergyGuide)', () => {
  const renderGuide = (extra: Partial<Parameters<typeof AllergyGuide>[0]> = {}) =>
    render(
      <AllergyGuide
        patient={{ name: '한지민', patient_number: 'P-2026-0007', birth_date: '1990-03-04' }}
        diagnosisDate={diagnosisFixture.diagnosis_date}
        results={diagnosisFixture.results}
        prescription={diagnosisFixture.prescription}
        knowledgeVersion={diagnosisFixture.knowledge_version}
        kitSerial="AK-0001"
        {...extra}
      />,
    );

  it('shows the results with what each grade means, highest first', () => {
    renderGuide();
    const rows = screen.getAllByTestId('guide-result-row');
    expect(rows.map((r) => r.getAttribute('data-allergen'))).toEqual(['peanut', 'house_dust_mite', 'milk', 'egg']);
    expect(rows[0].textContent).toContain('매우 높음');
    expect(rows[0].textContent).toContain('고위험');
    expect(rows[2].textContent).toContain('2.1');
    expect(screen.getByTestId('guide-summary').textContent).toBe('검사 4개 · 고위험 1개 · 최고 등급 4');
    expect(screen.getByTestId('guide-scale').textContent).toContain('0 <0.35 · 1 0.35–0.69 · 2 0.70–3.49 · 3 3.5–17.49 · 4 17.5–49.9 · 5 50–99.9 · 6 ≥100');
    expect(screen.getByTestId('guide-kit').textContent).toBe('AK-0001');
  });

  it('puts 땅콩 under 고위험 with foods to avoid, hidden sources and cross-reactivity with its rate', () => {
    renderGuide();
    const high = screen.getByTestId('guide-high_risk');
    expect(high.textContent).toContain('고위험 — 반드시 피하세요');
    expect(high.textContent).toContain('땅콩');
    expect(high.querySelector('[data-testid="guide-avoid"]')!.textContent).toContain('땅콩버터');
    expect(high.querySelector('[data-testid="guide-hidden"]')!.textContent).toContain('멸치볶음');
    const cross = high.querySelector('[data-testid="guide-cross-row"][data-allergen="walnut"]')!;
    expect(cross.textContent).toContain('중간');
    expect(cross.textContent).toContain('30–40%');
    expect(screen.getByTestId('guide-moderate_risk').textContent).toContain('우유');
    expect(screen.getByTestId('guide-moderate_risk').textContent).toContain('대체 식품');
    expect(screen.getByTestId('guide-low_risk').textContent).toContain('알류(달걀)');
  });

  it('has the cautions, the emergency plan with 119 and the auto-injector, the disclaimer and the version', () => {
    renderGuide({ sources: { mfds_labelling_standard: { id: 'mfds_labelling_standard', citation: '식품의약품안전처 고시 「식품등의 표시기준」' } } });
    expect(screen.getAllByTestId('guide-caution-row').length).toBe(3);
    expect(screen.getByTestId('guide-cautions').textContent).toContain('땅콩');
    expect(screen.getByTestId('guide-119').textContent).toContain('119');
    expect(screen.getByTestId('guide-anaphylaxis').textContent).toContain('아나필락시스');
    expect(screen.getByTestId('guide-injector').textContent).toContain('허벅지');
    expect(screen.getByTestId('guide-disclaimer').textContent).toContain('감작');
    expect(screen.getByTestId('guide-sources').textContent).toContain('식품등의 표시기준');
    expect(screen.getByTestId('guide-footer').textContent).toContain('지식 베이스 2026-12-07.1');
  });

  it('prints with window.print(), or shows no button when not printable', () => {
    // happy-dom has no window.print.
    const before = window.print;
    const print = vi.fn();
    window.print = print;
    renderGuide();
    screen.getByTestId('guide-print').click();
    expect(print).toHaveBeenCalledTimes(1);
    window.print = before;
    expect(screen.getByTestId('allergy-guide').className).toContain('allergy-print');
  });

  it('reads the general guidelines when there is no high-risk result', () => {
    const p = {
      ...diagnosisFixture.prescription,
      high_risk: [],
      emergency_plan: {
        level: 'guidelines',
        emergency_number: '119',
        guidelines: {
          severity_levels: [
            { level: 'mild', name: '가벼운 알레르기 반응', symptoms: ['두드러기'], actions: ['곁을 지키세요'] },
            { level: 'severe', name: '아나필락시스(중증 알레르기 반응)', intro: '하나라도 있으면', symptoms: ['숨쉬기 힘듦'], actions: ['119에 전화'] },
          ],
          always: ['에피네프린을 주사하세요'],
        },
      },
    };
    renderGuide({ prescription: p, printable: false });
    expect(screen.getByTestId('guide-high_risk').textContent).toContain('해당 항목이 없습니다');
    expect(screen.getByTestId('guide-anaphylaxis').textContent).toContain('숨쉬기 힘듦');
    expect(screen.queryByTestId('guide-print')).toBeNull();
  });
});
