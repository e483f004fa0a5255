/** Vite build, dev server and vitest configuration for the ScaleLab browser app. */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const backend = process.env.SCALELAB_BACKEND ?? 'http://127.0.0.1:8000';

export default defineConfig(({ command, isPreview }) => ({
  // Django serves the built assets under /static/ (WhiteNoise) and index.html itself at /;
  // `vite preview` serves the same build, so it needs the same base.
  base: command === 'build' || isPreview ? '/static/' : '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // The Host header is passed through unchanged so Django's CSRF and Channels' origin
    // checks see the same host as the browser's Origin.
    proxy: {
      '/api': { target: backend },
      '/ws': { target: backend, ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
}));
