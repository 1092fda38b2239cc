import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { build } from 'esbuild';
import { BUNDLING, PROJECT_ROOT, writeGroupEntry } from '../infra/group-entries.ts';
import { ROUTES, routeGroups } from '../functions/routes.ts';
import { percentile } from './stats.ts';

export interface BundleMeasure {
  readonly group: string;
  readonly bytes: number;
  readonly loadMs: number;
}

const OUT_DIR = `${PROJECT_ROOT}.bench/bundles`;

/** Bundles each group exactly as the CDK stack does, and times a cold `import` of it in a fresh node. */
export async function measureBundles(loads = 7): Promise<BundleMeasure[]> {
  mkdirSync(OUT_DIR, { recursive: true });
  const results: BundleMeasure[] = [];
  for (const [group, routes] of routeGroups(ROUTES)) {
    const outfile = `${OUT_DIR}/${group}.mjs`;
    await build({
      entryPoints: [writeGroupEntry(group, routes)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      banner: { js: BUNDLING.banner },
      mainFields: [...BUNDLING.mainFields],
      external: [...BUNDLING.externalModules],
      logLevel: 'error',
    });
    const samples: number[] = [];
    for (let run = 0; run < loads; run++) {
      const script = `const t=performance.now();await import(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`;
      samples.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })));
    }
    results.push({ group, bytes: statSync(outfile).size, loadMs: percentile(samples, 50) });
  }
  return results;
}
