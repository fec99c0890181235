import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fontFaces, rewriteFontUrls, subsetsFor } from '../build/fontPreload';
import { dictionaries } from '../src/i18n';

const css = `
/* a-[0] */
@font-face {
  font-family: 'X';
  src: url(./files/x-0-wght-normal.woff2) format('woff2-variations');
  unicode-range: U+ac00-ac05,U+b098;
}
@font-face {
  font-family: 'X';
  src: url(./files/x-1-wght-normal.woff2) format('woff2-variations');
  unicode-range: U+d55c;
}
@font-face {
  font-family: 'X';
  src: url(./files/x-latin-wght-normal.woff2) format('woff2-variations');
  unicode-range: U+0000-00FF,U+20A9;
}
`;

describe('font preload', () => {
  it('reads the subsets and their unicode ranges', () => {
    const faces = fontFaces(css);
    expect(faces.map((f) => f.file)).toEqual(['x-0-wght-normal', 'x-1-wght-normal', 'x-latin-wght-normal']);
    expect(faces[0].ranges).toEqual([
      [0xac00, 0xac05],
      [0xb098, 0xb098],
    ]);
  });

  it('picks only the subsets the text needs, in stylesheet order', () => {
    expect(subsetsFor('가나', css)).toEqual(['x-0-wght-normal']);
    expect(subsetsFor('한 ₩1', css)).toEqual(['x-1-wght-normal', 'x-latin-wght-normal']);
    expect(subsetsFor('', css)).toEqual([]);
  });

  it('covers every character of the Korean labels with a few of the real subsets', () => {
    const real = readFileSync('node_modules/@fontsource-variable/noto-sans-kr/index.css', 'utf8');
    const text = Object.values(dictionaries.ko).join('');
    const picked = subsetsFor(text, real);
    const faces = fontFaces(real).filter((f) => picked.includes(f.file));
    const hangul = [...new Set(text)].filter((ch) => /[\uac00-\ud7a3]/.test(ch));
    for (const ch of hangul) {
      const c = ch.codePointAt(0)!;
      expect(faces.some((f) => f.ranges.some(([lo, hi]) => c >= lo && c <= hi)), ch).toBe(true);
    }
    expect(picked.length).toBeGreaterThan(0);
    expect(picked.length).toBeLessThan(fontFaces(real).length / 4);
  });

  it('points a root stylesheet at the emitted font files', () => {
    const out = rewriteFontUrls(css, ['assets/x-0-wght-normal-AbC1.woff2', 'assets/x-10-wght-normal-Zz.woff2', 'assets/x-1-wght-normal-Q9.woff2']);
    expect(out).toContain('url(./assets/x-0-wght-normal-AbC1.woff2)');
    expect(out).toContain('url(./assets/x-1-wght-normal-Q9.woff2)');
    expect(out).not.toContain('x-10-wght');
    // A font that was not emitted keeps its URL (and simply will not load).
    expect(out).toContain('url(./files/x-latin-wght-normal.woff2)');
  });
});
