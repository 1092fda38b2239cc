// The kernel's entry, compiled by `npm run build:kernel` into one module (cube-kernel-module.ts): the
// projection (bicubic.as.ts), its quadrant tables (tables.as.ts), the reduction between levels
// (lanczos.as.ts) and the screen for JPEG's extreme colours (jpeg-extremes.as.ts) share one memory.
export { cubicWeightTable, hardEdgeRows, sideRows, polarRows } from './bicubic.as';
export { reduce } from './lanczos.as';
export { quadrantTables } from './tables.as';
export { holdsExtremeColours } from './jpeg-extremes.as';
