import { defineConfig } from 'vite';

/** The console is a static site: built into .tessera/console (npm run build:console), served as files. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: '../.tessera/console',
    emptyOutDir: true,
    target: 'es2022',
    // Pannellum is loaded as its own file, only on a panorama's page.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
