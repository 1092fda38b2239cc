import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../infra/group-entries.ts';
import { diagnosticPanorama, photographPanorama } from '../test/support/panorama-images.ts';

const INPUT_DIR = `${PROJECT_ROOT}.bench/panorama`;

/** `name`, made by `make` the first time and kept in .bench/panorama. */
async function kept(name: string, make: () => Promise<Buffer>): Promise<string> {
  const path = `${INPUT_DIR}/${name}`;
  if (existsSync(path)) return path;
  mkdirSync(INPUT_DIR, { recursive: true });
  writeFileSync(path, await make());
  return path;
}

/**
 * The procedural photograph of test/support/panorama-images.ts (a JPEG q90 that decodes and
 * compresses like a photograph; its size is printed with the results) as a file.
 */
export const panoramaInput = (width: number): Promise<string> =>
  kept(`procedural-${width}x${width / 2}.jpg`, () => photographPanorama(width));

/** The hard-edged diagnostic PNG (grid, thick lines, checker blocks, labels) of test/support/panorama-images.ts as a file. */
export const diagnosticPanoramaInput = (width: number): Promise<string> =>
  kept(`diagnostic-labelled-${width}x${width / 2}.png`, () => diagnosticPanorama(width));
