import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium for the browser tests, driven by playwright-core. When it is missing and this
 * runs as root with apt, it is installed (as `.ci/run` does); otherwise the tests fail saying how
 * to get it, never skip.
 */
export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of each page, kept after the run (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../.tessera/artifacts/console');

const runs = (command: string) => {
  try {
    return execFileSync(command, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).includes(
      'Chromium',
    );
  } catch {
    return false;
  }
};

function findChromium(): string {
  if (runs(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'pipe', timeout: 300_000, env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'pipe', timeout: 600_000, env });
    if (runs(CHROMIUM)) return CHROMIUM;
  }
  throw new Error(
    `the browser tests drive Debian's Chromium at ${CHROMIUM}: \`sudo apt-get install chromium\` (Debian), then run them again`,
  );
}

/** One headless Chromium for a test file; WebGL through SwiftShader, so panoramas render without a GPU. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    // As root (CI) Chromium refuses its sandbox.
    chromiumSandbox: false,
    args: ['--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist'],
  });
}
