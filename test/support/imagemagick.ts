import { execFileSync } from 'node:child_process';

/**
 * ImageMagick, the oracle for geometry and pixels: Debian's `convert` (6.9) or `magick` (7). A
 * `convert` earlier on PATH may be a stand-in, so each candidate must call itself ImageMagick.
 * When none does and this runs as root with apt, it is installed (as `.ci/run` would); otherwise
 * the tests that need it fail saying how to get it, never skip.
 */
const CANDIDATES = [['/usr/bin/convert'], ['/usr/bin/magick'], ['magick'], ['convert']] as const;

const isImageMagick = (command: string) => {
  try {
    return execFileSync(command, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('ImageMagick');
  } catch {
    return false;
  }
};

let found: string | undefined;

function findImageMagick(): string {
  if (found) return found;
  const command = CANDIDATES.map(([candidate]) => candidate).find(isImageMagick);
  if (command) return (found = command);
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'imagemagick'], {
      stdio: 'pipe',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (isImageMagick('/usr/bin/convert')) return (found = '/usr/bin/convert');
  }
  throw new Error('these tests compare with ImageMagick: `sudo apt-get install imagemagick` (Debian), then run them again');
}

/** Runs ImageMagick's convert with these arguments and returns what it writes to stdout. */
export const convert = (args: readonly string[], input?: Buffer): Buffer =>
  execFileSync(findImageMagick(), [...args], { input, maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe'] });

/** The width and height ImageMagick gives `-thumbnail`/`-crop`-style arguments on a blank image of this size. */
export function imageMagickSize(width: number, height: number, operations: readonly string[]): { width: number; height: number } {
  const out = convert([`xc:white[${width}x${height}!]`, ...operations, '+repage', '-format', '%w %h', 'info:']).toString('utf8');
  const [w, h] = out.trim().split(/\s+/).map(Number) as [number, number];
  return { width: w, height: h };
}
