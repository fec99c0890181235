import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { allergyDictionaries, ta, taEnum } from '../src/allergyText';
import { setLang } from '../src/i18n';
import {
  DEFAULT_GRADE_BOUNDS,
  addMonths,
  boundsFromGrades,
  buildResults,
  canDoAllergyCare,
  canPublishKnowledge,
  canReadKnowledge,
  canSeeAllergyStats,
  diagnosisErrors,
  gradeOfKuL,
  isMonth,
  matchesAllergen,
  parseKitLines,
  parseResultInput,
} from '../src/logic/allergy';
import { describeError } from '../src/logic/errors';
import { parseRoute, href } from '../src/router';

afterEach(() => setLang('ko'));

describe('a result cell: grade or kU/L', () => {
  it('empty is not tested', () => {
    expect(parseResultInput('')).toEqual({ kind: 'empty' });
    expect(parseResultInput('   ')).toEqual({ kind: 'empty' });
  });

  it('a whole number 0–6 is a grade', () => {
    for (let g = 0; g <= 6; g++) expect(parseResultInput(String(g))).toEqual({ kind: 'grade', grade: g });
    expect(parseResultInput(' 4 ')).toEqual({ kind: 'grade', grade: 4 });
    expect(parseResultInput('04')).toEqual({ kind: 'grade', grade: 4 });
  });

  it('a whole number above 6 is refused (a kU/L value needs a decimal point or the unit)', () => {
    expect(parseResultInput('7')).toEqual({ kind: 'invalid', reason: 'grade_range' });
    expect(parseResultInput('12')).toEqual({ kind: 'invalid', reason: 'grade_range' });
  });

  it('a decimal is a kU/L value, previewed with its grade', () => {
    expect(parseResultInput('2.1')).toEqual({ kind: 'kul', kuL: 2.1, grade: 2 });
    expect(parseResultInput('0.35')).toEqual({ kind: 'kul', kuL: 0.35, grade: 1 });
    expect(parseResultInput('0.34')).toEqual({ kind: 'kul', kuL: 0.34, grade: 0 });
    expect(parseResultInput('.5')).toEqual({ kind: 'kul', kuL: 0.5, grade: 1 });
    expect(parseResultInput('3.')).toEqual({ kind: 'kul', kuL: 3, grade: 2 });
    expect(parseResultInput('4.0')).toEqual({ kind: 'kul', kuL: 4, grade: 3 });
  });

  it('a value with kU, kU/L or kUA/L is a kU/L value, whole or not', () => {
    expect(parseResultInput('12 kU')).toEqual({ kind: 'kul', kuL: 12, grade: 3 });
    expect(parseResultInput('12kU')).toEqual({ kind: 'kul', kuL: 12, grade: 3 });
    expect(parseResultInput('3 ku/l')).toEqual({ kind: 'kul', kuL: 3, grade: 2 });
    expect(parseResultInput('100 kUA/L')).toEqual({ kind: 'kul', kuL: 100, grade: 6 });
    expect(parseResultInput('0.7 KU / L')).toEqual({ kind: 'kul', kuL: 0.7, grade: 2 });
  });

  it('full-width digits from an IME count', () => {
    expect(parseResultInput('４')).toEqual({ kind: 'grade', grade: 4 });
    expect(parseResultInput('２．１')).toEqual({ kind: 'kul', kuL: 2.1, grade: 2 });
  });

  it('anything else is refused', () => {
    for (const bad of ['-1', 'abc', '2,1', '<0.35', '1.2.3', 'kU', '3 mg', '++2']) {
      expect(parseResultInput(bad), bad).toEqual({ kind: 'invalid', reason: 'format' });
    }
  });

  it('maps kU/L to grades at the class boundaries 0.35 / 0.70 / 3.5 / 17.5 / 50 / 100 (inclusive below)', () => {
    const cases: [number, number][] = [
      [0, 0], [0.349, 0], [0.35, 1], [0.69, 1], [0.7, 2], [3.49, 2], [3.5, 3], [17.49, 3], [17.5, 4], [49.9, 4], [50, 5], [99.9, 5], [100, 6], [2500, 6],
    ];
    for (const [v, g] of cases) expect(gradeOfKuL(v), String(v)).toBe(g);
  });

  it('uses the knowledge version’s scale when it gives one', () => {
    const grades = [null, 0.3, 0.7, 3.5, 17.5, 50, 100].map((min, grade) => ({ grade, min_kU_L: min, max_kU_L: null }));
    const bounds = boundsFromGrades(grades);
    expect(bounds).toEqual([0.3, 0.7, 3.5, 17.5, 50, 100]);
    expect(parseResultInput('0.31', bounds!)).toEqual({ kind: 'kul', kuL: 0.31, grade: 1 });
    expect(boundsFromGrades(grades.slice(0, 6))).toBeNull();
    expect(boundsFromGrades(undefined)).toBeNull();
    expect(DEFAULT_GRADE_BOUNDS).toEqual([0.35, 0.7, 3.5, 17.5, 50, 100]);
  });
});

describe('the diagnosis request and its errors', () => {
  const allergens = [{ code: 'egg' }, { code: 'milk' }, { code: 'buckwheat' }, { code: 'peanut' }, { code: 'house_dust_mite' }];

  it('sends the filled cells in the grid’s order, grades as grade and kU/L as ku_l', () => {
    const out = buildResults(allergens, { peanut: '4', milk: '2.1', egg: '0', house_dust_mite: '3', buckwheat: '' });
    expect(out.results).toEqual([
      { allergen: 'egg', grade: 0 },
      { allergen: 'milk', ku_l: 2.1 },
      { allergen: 'peanut', grade: 4 },
      { allergen: 'house_dust_mite', grade: 3 },
    ]);
    expect(out.codes).toEqual(['egg', 'milk', 'peanut', 'house_dust_mite']);
    expect(out.invalid).toEqual([]);
  });

  it('keeps invalid cells apart', () => {
    expect(buildResults(allergens, { egg: '9', milk: 'x', peanut: '1' }).invalid).toEqual(['egg', 'milk']);
  });

  it('maps each results[i] a 422 names to the row of the i-th result sent', () => {
    const e = new ApiError({
      status: 422,
      code: 'VALIDATION_ERROR',
      message: '등급은 0~6 사이의 정수여야 합니다',
      field: 'results[0].grade',
      details: {
        errors: [
          { field: 'results[0].grade', code: 'VALIDATION_ERROR', message: '등급 오류' },
          { field: 'results[2].allergen', code: 'VALIDATION_ERROR', message: '알 수 없는 알레르겐' },
          { field: 'results[2].ku_l', code: 'VALIDATION_ERROR', message: '두 번째 메시지는 버립니다' },
          { field: 'diagnosis_date', code: 'VALIDATION_ERROR', message: '진단일은 오늘 이후일 수 없습니다' },
          { field: 'results', code: 'VALIDATION_ERROR', message: '하나 이상' },
        ],
      },
    });
    const out = diagnosisErrors(e, ['egg', 'milk', 'peanut'], describeError);
    expect(out.rows).toEqual({ egg: '등급 오류', peanut: '알 수 없는 알레르겐' });
    expect(out.fields).toEqual({ diagnosis_date: '진단일은 오늘 이후일 수 없습니다' });
    expect(out.general).toEqual(['하나 이상']);
  });

  it('puts an unknown or used kit at the kit field, anything else above the grid', () => {
    const kit = new ApiError({ status: 404, code: 'KIT_NOT_FOUND', message: '키트를 찾을 수 없습니다' });
    expect(diagnosisErrors(kit, [], describeError).fields.kit_serial).toBe('키트를 찾을 수 없습니다');
    const used = new ApiError({ status: 409, code: 'KIT_ALREADY_USED', message: '이미 다른 환자의 결과' });
    expect(diagnosisErrors(used, [], describeError).fields.kit_serial).toBe('이미 다른 환자의 결과');
    const down = new ApiError({ status: 0, code: 'NETWORK_ERROR' });
    const out = diagnosisErrors(down, ['egg'], describeError);
    expect(out.rows).toEqual({});
    expect(out.general).toHaveLength(1);
  });
});

describe('finding an allergen', () => {
  const peanut = { code: 'peanut', name_ko: '땅콩', name_en: 'Peanut', aliases: ['groundnut', 'Ara h 2', '땅콩버터'] };
  const hdm = { code: 'house_dust_mite', name_ko: '집먼지진드기', name_en: 'House dust mite', aliases: ['Der p 1', '진드기'] };
  it('by Korean or English name, code or alias, ignoring case, spaces and separators', () => {
    expect(matchesAllergen(peanut, '땅콩')).toBe(true);
    expect(matchesAllergen(peanut, 'PEA')).toBe(true);
    expect(matchesAllergen(peanut, 'arah2')).toBe(true);
    expect(matchesAllergen(hdm, 'dust mite')).toBe(true);
    expect(matchesAllergen(hdm, 'house_dust')).toBe(true);
    expect(matchesAllergen(hdm, '진드기')).toBe(true);
    expect(matchesAllergen(hdm, '땅콩')).toBe(false);
    expect(matchesAllergen(hdm, '')).toBe(true);
  });
});

describe('kit lines', () => {
  it('reads serial,PIN lines (comma, tab, semicolon or spaces), upper-cases serials, skips blank lines', () => {
    const { kits, problems } = parseKitLines('ak-0001,1234\n\nAK-0002\t567890\nAK-0003; 4321\n  AK-0004 99999  \n');
    expect(problems).toEqual([]);
    expect(kits).toEqual([
      { line: 1, serial_number: 'AK-0001', pin: '1234' },
      { line: 3, serial_number: 'AK-0002', pin: '567890' },
      { line: 4, serial_number: 'AK-0003', pin: '4321' },
      { line: 5, serial_number: 'AK-0004', pin: '99999' },
    ]);
  });

  it('names every bad line with what is wrong', () => {
    const { kits, problems } = parseKitLines('AK-0001,1234\nAK-0002\nA1,1234\nAK-0003,12ab\nAK-0001,5555\nAK_0005,1234\nAK-0006,1234,9');
    expect(kits.map((k) => k.serial_number)).toEqual(['AK-0001']);
    expect(problems).toEqual([
      { line: 2, problem: 'columns' },
      { line: 3, problem: 'serial' },
      { line: 4, problem: 'pin' },
      { line: 5, problem: 'duplicate' },
      { line: 6, problem: 'serial' },
      { line: 7, problem: 'columns' },
    ]);
    expect(ta('kits.problem.pin', { line: 4 })).toBe('4번째 줄: PIN은 숫자 4–12자리입니다.');
  });
});

describe('roles, months, routes', () => {
  it('who does what', () => {
    expect(['admin', 'manager', 'doctor', 'staff'].filter(canDoAllergyCare)).toEqual(['admin', 'doctor']);
    expect(['admin', 'manager', 'doctor', 'staff'].filter(canSeeAllergyStats)).toEqual(['admin', 'manager', 'doctor']);
    expect(['admin', 'manager', 'doctor', 'staff'].filter(canReadKnowledge)).toEqual(['admin', 'doctor']);
    expect(['admin', 'manager', 'doctor', 'staff'].filter(canPublishKnowledge)).toEqual(['admin']);
  });

  it('months', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-05', -17)).toBe('2024-12');
    expect(isMonth('2026-12')).toBe(true);
    expect(isMonth('2026-13')).toBe(false);
    expect(isMonth(undefined)).toBe(false);
  });

  it('routes read back what they write', () => {
    const routes = [
      { name: 'allergyPatients' },
      { name: 'allergyPatientNew' },
      { name: 'allergyPatientNew', customerId: 'c-1' },
      { name: 'allergyPatient', id: 'p-1' },
      { name: 'diagnosisNew', patientId: 'p-1' },
      { name: 'diagnosis', id: 'd-1' },
      { name: 'allergyStats' },
      { name: 'allergyStats', month: '2026-11' },
      { name: 'kits' },
      { name: 'kits', status: 'issued' },
      { name: 'knowledge' },
      { name: 'knowledge', version: '2026-12-07.1' },
    ] as const;
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });
});

describe('allergy strings', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  it('ko and en have the same keys and placeholders, none empty', () => {
    const { ko, en } = allergyDictionaries;
    expect(Object.keys(en).sort()).toEqual(Object.keys(ko).sort());
    for (const key of Object.keys(ko) as (keyof typeof ko)[]) {
      expect(ko[key], key).not.toBe('');
      expect(en[key], key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(ko[key]));
    }
  });

  it('interpolates, follows the UI language and labels enum values', () => {
    expect(ta('alert.banner', { names: '땅콩, 새우' })).toBe('알레르기 주의: 땅콩, 새우 — 고위험');
    expect(taEnum('tier', 'high_risk')).toBe('고위험');
    expect(taEnum('category', 'inhalant')).toBe('흡입');
    expect(taEnum('kitStatus', 'unknown_status')).toBe('unknown_status');
    setLang('en');
    expect(ta('nav.patients')).toBe('Allergy patients');
  });
});
