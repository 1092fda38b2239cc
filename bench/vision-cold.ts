/**
 * A fresh process's first face work (bench/vision.ts runs it as a child): how long importing
 * face-api and tfjs, loading the weights, and the warm-up inferences take, then the first detection after it, and the peak RSS (VmHWM)
 * after warm-up and 20 searches. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';

const image = readFileSync(process.argv[2]!);
const started = performance.now();
const { faceEngine } = await import('../functions/adapters/face-engine.ts');
const { loadCoreNets } = await import('../functions/adapters/face-runtime.ts');
const imported = performance.now();
await loadCoreNets();
const loaded = performance.now();
await faceEngine.warm();
const warmed = performance.now();
await faceEngine.detect(image, { purpose: 'search', attributes: false });
const first = performance.now();
for (let round = 0; round < 20; round++) await faceEngine.detect(image, { purpose: 'search', attributes: false });
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
console.log(
  JSON.stringify({
    importMs: imported - started,
    loadMs: loaded - imported,
    warmMs: warmed - loaded,
    firstMs: first - warmed,
    peakRss: hwm,
  }),
);
