import { resolve } from 'node:path';

/** Where `npm start` and `npm run build:console` put the built console. */
export const CONSOLE_DIR = resolve(import.meta.dirname, '../.tessera/console');
const CONFIG_FILE = resolve(import.meta.dirname, 'vite.config.ts');

/**
 * Builds the console with Vite (about 2 s) into `outDir`: its own folder for each user (npm start,
 * a synth, the browser tests), since two builds into one folder would empty it under each other.
 */
export async function buildConsole(outDir: string = CONSOLE_DIR): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: CONFIG_FILE, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
