// Build-time helper: `<link rel="preload">` tags for the web-font subsets the UI's own labels
// need, so the font files are fetched while the HTML and the script are still being read,
// not only when main.tsx asks for them (it waits for them before the first render, see there).
//
// The Korean font is split into ~120 unicode-range subsets (fontsource); only the subsets
// that cover a character of the Korean dictionary are preloaded (about a dozen). Everything
// else keeps loading on demand, as the @font-face rules say.

import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

type Range = [number, number];

/** `@font-face` rules of a fontsource stylesheet: source file base name and unicode ranges. */
export function fontFaces(css: string): { file: string; ranges: Range[] }[] {
  const faces: { file: string; ranges: Range[] }[] = [];
  for (const block of css.split('@font-face').slice(1)) {
    const src = /url\(\s*['"]?[^'")]*\/([^/'")]+)\.woff2['"]?\s*\)/.exec(block);
    const range = /unicode-range:\s*([^;}]+)/.exec(block);
    if (!src) continue;
    const ranges: Range[] = range
      ? range[1].split(',').map((part) => {
          const [a, b] = part.trim().replace(/^U\+/i, '').split('-');
          const lo = parseInt(a.replace(/\?/g, '0'), 16);
          const hi = b !== undefined ? parseInt(b, 16) : parseInt(a.replace(/\?/g, 'f'), 16);
          return [lo, hi];
        })
      : [[0, 0x10ffff]];
    faces.push({ file: src[1], ranges });
  }
  return faces;
}

/** Base names (no extension) of the font files whose ranges cover some character of `text`. */
export function subsetsFor(text: string, css: string): string[] {
  const faces = fontFaces(css);
  const needed = new Set<string>();
  for (const ch of new Set(text)) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x20) continue;
    for (const f of faces) if (f.ranges.some(([lo, hi]) => c >= lo && c <= hi)) needed.add(f.file);
  }
  return faces.map((f) => f.file).filter((f) => needed.has(f));
}

/** Vite plugin (build only): preload tags for the subsets `text()` needs, from `cssPath`. */
export function preloadFonts(text: () => string, cssPath: string): Plugin {
  return {
    name: 'clinicdesk-font-preload',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return [];
        const needed = subsetsFor(text(), readFileSync(cssPath, 'utf8'));
        const files = Object.values(ctx.bundle)
          .filter((f) => f.type === 'asset' && f.fileName.endsWith('.woff2'))
          .map((f) => f.fileName);
        return needed.flatMap((base) => {
          const file = files.find((name) => name.split('/').pop()!.startsWith(`${base}-`));
          return file
            ? [{ tag: 'link', attrs: { rel: 'preload', as: 'font', type: 'font/woff2', crossorigin: '', href: `./${file}` }, injectTo: 'head' as const }]
            : [];
        });
      },
    },
  };
}

/**
 * `css` with each `url(…/<base>.woff2)` pointing at the emitted file of that font (`files`:
 * file names relative to the build's root), for a stylesheet at the root of the build.
 */
export function rewriteFontUrls(css: string, files: string[]): string {
  return css.replace(/url\(\s*['"]?[^'")]*\/([^/'")]+)\.woff2['"]?\s*\)/g, (whole, base: string) => {
    const file = files.find((name) => name.split('/').pop()!.startsWith(`${base}-`));
    return file ? `url(./${file})` : whole;
  });
}

/**
 * Vite plugin (build only): the @font-face rules of `cssPath` as a stylesheet with a stable
 * name at the root of the build, pointing at the font files the UI's bundle already holds.
 * Pages that are not part of the UI link it to show Korean in the same bundled font: Swagger
 * UI at `/docs` (served by the API, which cannot know the hashed file names) on the server,
 * and through the desktop's documentation scheme.
 */
export function fontStylesheet(cssPath: string, fileName: string): Plugin {
  return {
    name: 'clinicdesk-font-stylesheet',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle)
        .filter((f) => f.type === 'asset' && f.fileName.endsWith('.woff2'))
        .map((f) => f.fileName);
      if (files.length === 0) this.error('no font files in the bundle: is the font still imported by main.tsx?');
      this.emitFile({ type: 'asset', fileName, source: rewriteFontUrls(readFileSync(cssPath, 'utf8'), files) });
    },
  };
}
