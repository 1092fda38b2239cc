import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ImageMagick 6's `convert` (Debian's) or 7's `magick`, as a user types them. */
const COMMANDS = ['convert', 'magick'];

/**
 * Debian's policy.xml caps the pixel cache at 256 MiB, so a 12 MP rotation or blur spills into a
 * memory-mapped file under /tmp (0.2–0.3 s more here); ImageMagick's own defaults set no such cap.
 * The bench lifts it, so ImageMagick works in memory as sharp does. Every other policy stays.
 */
const POLICY = `<policymap>
  <policy domain="resource" name="memory" value="4GiB"/>
  <policy domain="resource" name="map" value="8GiB"/>
</policymap>
`;

export interface ImageMagick {
  /** As it names itself, e.g. "ImageMagick 6.9.11-60 Q16". */
  readonly version: string;
  /** OpenMP threads it may use: one per core, its own default, set explicitly. */
  readonly threads: number;
  /** Whether this build writes the format, i.e. has its delegate library ("webp", "avif"). */
  readonly writes: (format: string) => boolean;
  /** Runs one command line to its end, as a user would: a process reading and writing files. */
  readonly run: (args: readonly string[]) => Promise<void>;
}

/**
 * The ImageMagick on PATH, or undefined. A `convert` may be a stand-in for another tool, so the
 * command must call itself ImageMagick. `directory` receives the policy above.
 */
export async function findImageMagick(directory: string): Promise<ImageMagick | undefined> {
  const threads = availableParallelism();
  writeFileSync(`${directory}/policy.xml`, POLICY);
  const env = { ...process.env, MAGICK_CONFIGURE_PATH: directory, MAGICK_THREAD_LIMIT: String(threads) };
  for (const command of COMMANDS) {
    const version = await run(command, ['-version'], { env }).then(
      ({ stdout }) => /ImageMagick \S+ \S+/.exec(stdout)?.[0],
      () => undefined,
    );
    if (!version) continue;
    const { stdout } = await run(command, ['-list', 'format'], { env, maxBuffer: 1 << 20 });
    // Rows like "     WEBP* WEBP      rw+   WebP Image Format": name, module, then r/w/+ modes.
    const writable = new Set([...stdout.matchAll(/^\s*(\w+)\*?\s+\w+\s+[r-]w/gm)].map((match) => match[1]!.toLowerCase()));
    return {
      version,
      threads,
      writes: (format) => writable.has(format.toLowerCase()),
      run: async (args) => {
        await run(command, [...args], { env });
      },
    };
  }
  return undefined;
}
