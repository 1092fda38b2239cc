import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONSUMERS } from '../functions/consumers.ts';
import { findGeneratePy, runGeneratePy, type GeneratePyRun } from './generate-py.ts';
import { panoramaInput } from './panorama-inputs.ts';
import { percentile, verdict, type Row } from './stats.ts';

interface Measure {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly outputPixels: number;
}

const GOAL_SECONDS: Record<number, number> = { 8192: 2, 16384: 6 };
/** How many times faster than Pannellum's generate.py the build must be (issue 16). */
const GOAL_SPEEDUP: Record<number, number> = { 8192: 15, 16384: 15 };
/** Peak RSS goals (issue 16): 16K within 1.0 GB; the default pixel limit (32K) within the worker's configured memory. */
const WORKER = CONSUMERS.find((consumer) => consumer.name === 'worker')!;
const WORKER_MEMORY_MB = WORKER.memoryMB!;
const GOAL_PEAK_MB: Record<number, number> = { 16384: 1000, 32768: WORKER_MEMORY_MB };
/**
 * The largest input is built once, without generate.py beside it: nona and Pillow would take
 * minutes on 537 MP; what it shows is that the build fits the worker.
 */
const ONCE_WIDTH = 32768;

const CHILD = fileURLToPath(new URL('./panorama-child.ts', import.meta.url));
/** Builds and floors alike run in the worker's environment (its libuv pool size). */
const measure = (mode: 'build' | 'floor', input: string): Measure =>
  JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', CHILD, mode, input], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env: { ...process.env, ...WORKER.environment },
    }),
  ) as Measure;

/**
 * Each round runs a build, a floor and (when installed) Pannellum's generate.py on the same input,
 * each in its own process, `runs` rounds per size, and medians are reported. The order turns by one
 * each round, so each contender runs first, second and third once in three rounds: this VM's speed
 * drifts by 15–30% over minutes, and a single generate.py run amid Tessera's (as before 2026-12-02)
 * put all of that drift on one side of the ratio.
 */
export async function benchPanorama(
  defaultRuns = Number(process.env.BENCH_PANORAMA_RUNS ?? 3),
  widths = [4096, 8192, 16384, ONCE_WIDTH],
): Promise<Row[]> {
  const generatePy = findGeneratePy();
  const environment = Object.entries(WORKER.environment ?? {}).map(([name, value]) => `${name}=${value}`);
  const rows: Row[] = [
    { measure: "builds and floors run in the worker's environment (functions/consumers.ts)", value: environment.join(' ') || 'none' },
  ];
  for (const width of widths) {
    const input = await panoramaInput(width);
    const runs = width === ONCE_WIDTH ? 1 : defaultRuns;
    const withGeneratePy = width !== ONCE_WIDTH;
    const builds: Measure[] = [];
    const floors: Measure[] = [];
    const generated: GeneratePyRun[] = [];
    const contenders = [
      () => builds.push(measure('build', input)),
      () => floors.push(measure('floor', input)),
      ...(withGeneratePy && !('missing' in generatePy) ? [() => generated.push(runGeneratePy(generatePy, input))] : []),
    ];
    for (let run = 0; run < runs; run++) {
      for (let turn = 0; turn < contenders.length; turn++) contenders[(run + turn) % contenders.length]!();
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
    const speedupGoal = GOAL_SPEEDUP[width];
    const reference = generatePyMedian(
      generated,
      width === ONCE_WIDTH ? 'not run at this size' : 'missing' in generatePy ? `not installed: ${generatePy.missing}` : 'not run',
    );
    const reported = (show: (run: { seconds: number; peakRssMb: number }) => string) =>
      'failure' in reference ? reference.failure : show(reference);
    const speedup = 'failure' in reference ? undefined : reference.seconds / build;
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
        measure: `${label}: generate.py (nona + Pillow)${generated.length ? `, median of ${generated.length}` : ''}`,
        value: reported((run) => `${run.seconds.toFixed(1)} s (runs ${secondsRange(generated)})`),
      },
      {
        measure: `${label}: generate.py / build`,
        value: reported((run) => `${(run.seconds / build).toFixed(1)}×`),
        goal: speedupGoal ? `≥ ${speedupGoal}×` : '',
        verdict: speedup !== undefined && speedupGoal ? verdict(speedup >= speedupGoal) : '',
      },
      {
        measure: `${label}: build peak RSS${width === ONCE_WIDTH ? ` (the worker has ${WORKER_MEMORY_MB} MB)` : ''}`,
        value: `${peak.toFixed(0)} MB`,
        goal: GOAL_PEAK_MB[width] ? `≤ ${GOAL_PEAK_MB[width]} MB` : '',
        verdict: GOAL_PEAK_MB[width] ? verdict(peak <= GOAL_PEAK_MB[width]) : '',
      },
      {
        measure: `${label}: generate.py peak RSS (its largest process, nona or Python; the largest run)`,
        value: reported((run) => `${run.peakRssMb.toFixed(0)} MB`),
      },
    );
  }
  return rows;
}

/** generate.py's median time and largest peak over its runs, or why there is none (a failed run fails them all). */
function generatePyMedian(generated: readonly GeneratePyRun[], whyNone: string): GeneratePyRun {
  const failed = generated.find((run) => 'failure' in run);
  if (failed) return failed;
  const finished = generated.filter((run): run is Exclude<GeneratePyRun, { failure: string }> => !('failure' in run));
  if (finished.length === 0) return { failure: whyNone };
  return {
    seconds: percentile(
      finished.map((run) => run.seconds),
      50,
    ),
    peakRssMb: Math.max(...finished.map((run) => run.peakRssMb)),
  };
}

/** The fastest and slowest of generate.py's runs, as "a–b s". */
function secondsRange(generated: readonly GeneratePyRun[]): string {
  const seconds = generated.flatMap((run) => ('failure' in run ? [] : [run.seconds]));
  return `${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s`;
}
