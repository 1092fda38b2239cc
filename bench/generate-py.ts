import { execFileSync } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { scratchDirectory } from './scratch-directory.ts';

const require = createRequire(import.meta.url);

/** Debian's Python first: apt's python3-pil is installed for it, and a python3 earlier on PATH (pyenv's) may lack Pillow. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/**
 * Tessera's build settings, which are generate.py's defaults, given explicitly: 512 px tiles,
 * 1024 px fallback faces, JPEG quality 75 on every level.
 */
const SETTINGS = ['-s', '512', '-f', '1024', '-q', '75'];

/**
 * Runs generate.py as its own __main__, then prints the peak RSS (KiB) of Python itself and of its
 * largest child, nona (getrusage's maxrss: the largest single process, not a sum).
 */
const WRAPPER = `import resource, runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`;

export interface GeneratePy {
  /** Pannellum's own multires tiler, from the pinned npm package. */
  readonly script: string;
  readonly python: string;
  readonly nona: string;
}

export type GeneratePyRun = { readonly seconds: number; readonly peakRssMb: number } | { readonly failure: string };

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

/** One run on `input`, timed as a user would see it (from the command to its exit), writing into memory (/dev/shm). */
export function runGeneratePy({ script, python, nona }: GeneratePy, input: string): GeneratePyRun {
  const directory = scratchDirectory('generate-py');
  try {
    const started = performance.now();
    const stdout = execFileSync(python, ['-c', WRAPPER, script, '-n', nona, '-o', `${directory}/out`, ...SETTINGS, input], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 20,
    });
    const seconds = (performance.now() - started) / 1000;
    const [, self = '0', child = '0'] = /maxrss (\d+) (\d+)/.exec(stdout) ?? [];
    return { seconds, peakRssMb: Math.max(Number(self), Number(child)) / 1024 };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
    return { failure: `failed: ${stderr.split('\n').at(-1)}` };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
