import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { GENERATE_PY_SETTINGS, generatePyFailure, type GeneratePy } from '../test/support/generate-py.ts';
import { scratchDirectory } from './scratch-directory.ts';

export { findGeneratePy, type GeneratePy } from '../test/support/generate-py.ts';

/**
 * Runs generate.py as its own __main__, then prints the peak RSS (KiB) of Python itself and of its
 * largest child, nona (getrusage's maxrss: the largest single process, not a sum).
 */
const WRAPPER = `import resource, runpy, sys
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`;

export type GeneratePyRun = { readonly seconds: number; readonly peakRssMb: number } | { readonly failure: string };

/** One run on `input`, timed as a user would see it (from the command to its exit), writing into memory (/dev/shm). */
export function runGeneratePy({ script, python, nona }: GeneratePy, input: string): GeneratePyRun {
  const directory = scratchDirectory('generate-py');
  try {
    const started = performance.now();
    const stdout = execFileSync(python, ['-c', WRAPPER, script, '-n', nona, '-o', `${directory}/out`, ...GENERATE_PY_SETTINGS, input], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 20,
    });
    const seconds = (performance.now() - started) / 1000;
    const [, self = '0', child = '0'] = /maxrss (\d+) (\d+)/.exec(stdout) ?? [];
    return { seconds, peakRssMb: Math.max(Number(self), Number(child)) / 1024 };
  } catch (error) {
    return { failure: generatePyFailure(error) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
