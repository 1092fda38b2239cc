import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Debian's Python first: apt's python3-pil is installed for it, and a python3 earlier on PATH (pyenv's) may lack Pillow. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/**
 * Tessera's build settings, which are generate.py's defaults, given explicitly: 512 px tiles,
 * 1024 px fallback faces, JPEG quality 75 on every level.
 */
export const GENERATE_PY_SETTINGS = ['-s', '512', '-f', '1024', '-q', '75'];

export interface GeneratePy {
  /** Pannellum's own multires tiler, from the pinned npm package. */
  readonly script: string;
  readonly python: string;
  readonly nona: string;
}

const executable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const resolved = (module: string) => {
  try {
    return require.resolve(module);
  } catch {
    return undefined;
  }
};

const hasPillow = (python: string) => {
  try {
    execFileSync(python, ['-c', 'import PIL.Image'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** generate.py and what it runs on, or which of them are not installed (nona from Hugin; Pillow for the Python that runs it). */
export function findGeneratePy(): GeneratePy | { readonly missing: string } {
  const script = resolved('pannellum/utils/multires/generate.py');
  const nona = (process.env.PATH ?? '')
    .split(delimiter)
    .map((directory) => join(directory, 'nona'))
    .find(executable);
  const python = PYTHONS.find(hasPillow);
  if (script && nona && python) return { script, python, nona };
  return { missing: [script ? '' : 'pannellum', nona ? '' : 'nona', python ? '' : 'Pillow'].filter(Boolean).join(', ') };
}

/** The last line generate.py (or what it ran) wrote to stderr when it failed. */
export const generatePyFailure = (error: unknown): string =>
  `failed: ${String((error as { stderr?: unknown }).stderr ?? error)
    .trim()
    .split('\n')
    .at(-1)}`;

/**
 * Runs generate.py with GENERATE_PY_SETTINGS on the image file `input`, writing its set into
 * `output` (a folder it creates); the failure's last line of stderr if it fails.
 */
export function generatePyTiles({ script, python, nona }: GeneratePy, input: string, output: string): { failure: string } | undefined {
  try {
    execFileSync(python, [script, '-n', nona, '-o', output, ...GENERATE_PY_SETTINGS, input], {
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 20,
    });
    return undefined;
  } catch (error) {
    return { failure: generatePyFailure(error) };
  }
}
