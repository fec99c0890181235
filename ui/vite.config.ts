/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The UI is loaded both by the server (at `/`) and by the Tauri window through its own
// asset protocol, so every asset path must be relative.
//
// `npm run dev` proxies /api, /healthz and /readyz to CLINICDESK_URL (default: a local
// `cargo run -p clinicdesk-server -- --demo` on 127.0.0.1:8080).
const target = process.env.CLINICDESK_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: './',
  // Vite 8 transforms with Oxc (its successor to the esbuild option): automatic JSX runtime
  // from Preact, no framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
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
