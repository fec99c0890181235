import { describe, expect, it } from 'vitest';
import { patientDictionaries } from '../src/screens/patient/text';
import { researchDictionaries } from '../src/screens/ResearchText';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('patient and research strings', () => {
  for (const [name, dicts] of [
    ['patient', patientDictionaries],
    ['research', researchDictionaries],
  ] as const) {
    it(`${name}: ko and en have the same keys, none empty, the same placeholders`, () => {
      const ko = dicts.ko as Record<string, string>;
      const en = dicts.en as Record<string, string>;
      expect(Object.keys(en).sort()).toEqual(Object.keys(ko).sort());
      for (const key of Object.keys(ko)) {
        expect(ko[key], key).not.toBe('');
        expect(en[key], key).not.toBe('');
        expect(placeholders(en[key]), key).toEqual(placeholders(ko[key]));
      }
    });

    it(`${name}: the Korean strings are Korean`, () => {
      const ko = dicts.ko as Record<string, string>;
      const latinOnly = Object.entries(ko).filter(([, v]) => !/[가-힣]/.test(v) && !/^[\d{}\s]+$/.test(v) && !['PMID', 'DOI', '010-1234-5678'].includes(v));
      expect(latinOnly.map(([k]) => k)).toEqual([]);
    });
  }
});
