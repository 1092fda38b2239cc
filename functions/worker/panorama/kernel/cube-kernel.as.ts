// The kernel's entry, compiled by `npm run build:kernel` into one module (cube-kernel-module.ts): the
// projection (bicubic.as.ts), its quadrant tables (tables.as.ts) and the reduction between levels
// (lanczos.as.ts) share one memory.
export { cubicWeightTable, hardEdgeRows, sideRows, polarRows } from './bicubic.as';
export { reduce } from './lanczos.as';
export { quadrantTables } from './tables.as';
