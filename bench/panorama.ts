import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { panoramaInput } from './panorama-inputs.ts';
import { percentile, verdict, type Row } from './stats.ts';

interface Measure {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly outputPixels: number;
}

/** generate.py with nona on this kind of machine (../shared/reference/pannellum.md §3, medians). */
const GENERATE_PY_SECONDS: Record<number, number> = { 4096: 6.4, 8192: 19.5, 16384: 75.3 };
const GOAL_SECONDS: Record<number, number> = { 8192: 2, 16384: 6 };

const CHILD = fileURLToPath(new URL('./panorama-child.ts', import.meta.url));
const measure = (mode: 'build' | 'floor', input: string): Measure =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', CHILD, mode, input], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measure;

/** Builds and floors alternate, each in its own process, `runs` times per size; medians are reported. */
export async function benchPanorama(runs = Number(process.env.BENCH_PANORAMA_RUNS ?? 3), widths = [4096, 8192, 16384]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const width of widths) {
    const input = await panoramaInput(width);
    const builds: Measure[] = [];
    const floors: Measure[] = [];
    for (let run = 0; run < runs; run++) {
      builds.push(measure('build', input));
      floors.push(measure('floor', input));
    }
    const build = percentile(
      builds.map((entry) => entry.seconds),
      50,
    );
    const floor = percentile(
      floors.map((entry) => entry.seconds),
      50,
    );
    const peak = Math.max(...builds.map((entry) => entry.peakRssMb));
    const label = `${width}×${width / 2} (${(statSync(input).size / 1e6).toFixed(1)} MB JPEG, ${(builds[0]!.outputPixels / 1e6).toFixed(1)} MP out)`;
    const goal = GOAL_SECONDS[width];
    rows.push(
      {
        measure: `${label}: build, median of ${runs}`,
        value: `${build.toFixed(2)} s`,
        goal: goal ? `≤ ${goal} s` : '',
        verdict: goal ? verdict(build <= goal) : '',
      },
      { measure: `${label}: floor (decode + encode the same pixels)`, value: `${floor.toFixed(2)} s` },
      { measure: `${label}: build / floor`, value: (build / floor).toFixed(2), goal: '≤ 2.5', verdict: verdict(build / floor <= 2.5) },
      {
        measure: `${label}: generate.py (reference) / build`,
        value: `${(GENERATE_PY_SECONDS[width]! / build).toFixed(1)}×`,
        goal: '≥ 10×',
        verdict: verdict(GENERATE_PY_SECONDS[width]! / build >= 10),
      },
      {
        measure: `${label}: build peak RSS`,
        value: `${peak.toFixed(0)} MB`,
        goal: width === 16384 ? '≤ 1536 MB' : '',
        verdict: width === 16384 ? verdict(peak <= 1536) : '',
      },
    );
  }
  return rows;
}
