/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { fontStylesheet, preloadFonts } from './build/fontPreload.ts';
import { dictionaries } from './src/i18n.ts';

// The UI is loaded both by the server (at `/`) and by the Tauri window through its own
// asset protocol, so every asset path must be relative.
//
// `npm run dev` proxies /api, /healthz and /readyz to CLINICDESK_URL (default: a local
// `cargo run -p clinicdesk-server -- --demo` on 127.0.0.1:8080).
const target = process.env.CLINICDESK_URL ?? 'http://127.0.0.1:8080';
const koreanFontCss = fileURLToPath(new URL('./node_modules/@fontsource-variable/noto-sans-kr/index.css', import.meta.url));

export default defineConfig({
  base: './',
  // Vite 8 transforms with Oxc (its successor to the esbuild option): automatic JSX runtime
  // from Preact, no framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The font subsets of every Korean label (what main.tsx waits for before the first render)
  // are preloaded from index.html.
  // `korean-font.css` (stable name) lets Swagger UI at /docs use the same bundled font.
  plugins: [
    preloadFonts(() => Object.values(dictionaries.ko).join(''), koreanFontCss),
    fontStylesheet(koreanFontCss, 'korean-font.css'),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target, changeOrigin: true },
      '/healthz': { target, changeOrigin: true },
      '/readyz': { target, changeOrigin: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.{ts,tsx}'],
    setupFiles: ['tests/setup.ts'],
    css: false,
  },
});
