// AssemblyScript, part of the kernel (compiled through cube-kernel.as.ts).
// Positions are fixed point, a whole pixel plus a fraction f/FRACTIONS, as FRACTION_BITS in
// functions/core/panorama/cube.ts says. The two are held together by tests: the quadrant tables
// are compared bit for bit with the JavaScript formulas, and the weight table traps at any other size.

export const FRACTION_BITS = 10;
export const FRACTIONS = 1 << FRACTION_BITS;
export const FRACTION_MASK = FRACTIONS - 1;
