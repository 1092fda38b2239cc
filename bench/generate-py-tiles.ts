import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { GeneratePy } from './generate-py.ts';
import { scratchDirectory } from './scratch-directory.ts';

/** bench/generate-py.ts's settings (Tessera's build settings, generate.py's defaults): 512 px tiles, 1024 px fallback, JPEG q75. */
const SETTINGS = ['-s', '512', '-f', '1024', '-q', '75'];

/**
 * Runs generate.py on `input` and keeps what it writes, for the fidelity check to read.
 * The caller removes `directory` when done; on a failure it is already gone.
 */
export function generatePyTiles(
  { script, python, nona }: GeneratePy,
  input: string,
): { directory: string; output: string } | { failure: string } {
  const directory = scratchDirectory('fidelity');
  const output = `${directory}/out`;
  try {
    execFileSync(python, [script, '-n', nona, '-o', output, ...SETTINGS, input], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 20,
    });
    return { directory, output };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    return { failure: `failed: ${stderr.split('\n').at(-1)}` };
  }
}
