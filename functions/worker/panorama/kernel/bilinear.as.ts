// AssemblyScript, compiled to WebAssembly by `npm run build:kernel` (into bilinear-module.ts).
// The sampling loop of the cube projection: JavaScript spends ~30 ns a pixel on it here, this ~9.
// Arguments are byte offsets into the one linear memory: the RGB panorama, the quadrant tables
// of functions/core/panorama/cube.ts (their comment says how the other quadrants follow), and the
// face being written. Positions are an integer plus an 8-bit fraction (f/256).

@inline function bilinear(source: usize, width: i32, x: i32, fx: i32, y: i32, fy: i32, out: usize): void {
  const rowStride = width * 3;
  // Longitude wraps; the row below the last is only read with weight 0 (the tables clamp fy).
  const x1 = x + 1 == width ? 0 : x + 1;
  const upper = source + <usize>(y * rowStride);
  const lower = upper + <usize>rowStride;
  const left = <usize>(x * 3);
  const right = <usize>(x1 * 3);
  const gx = 256 - fx;
  const gy = 256 - fy;
  store<u8>(out, ((<i32>load<u8>(upper + left) * gx + <i32>load<u8>(upper + right) * fx) * gy + (<i32>load<u8>(lower + left) * gx + <i32>load<u8>(lower + right) * fx) * fy + 32768) >> 16);
  store<u8>(out, ((<i32>load<u8>(upper + left, 1) * gx + <i32>load<u8>(upper + right, 1) * fx) * gy + (<i32>load<u8>(lower + left, 1) * gx + <i32>load<u8>(lower + right, 1) * fx) * fy + 32768) >> 16, 1);
  store<u8>(out, ((<i32>load<u8>(upper + left, 2) * gx + <i32>load<u8>(upper + right, 2) * fx) * gy + (<i32>load<u8>(lower + left, 2) * gx + <i32>load<u8>(lower + right, 2) * fx) * fy + 32768) >> 16, 2);
}

/** K − (whole + fraction/256), as whole · 256 + fraction. */
@inline function reflect(k: i32, whole: i32, fraction: i32): i32 {
  return fraction == 0 ? (k - whole) << 8 : ((k - whole - 1) << 8) | (256 - fraction);
}

@inline function wrap(x: i32, width: i32): i32 {
  return x < 0 ? x + width : x >= width ? x - width : x;
}

/**
 * Rows [from, to) of a side face: x and its fraction per face column (i32, u8), already turned
 * for this face; y and its fraction per quadrant pixel (u16, u8), reflected in the lower half.
 */
export function sideRows(source: usize, width: i32, height: i32, columns: usize, columnFractions: usize, rows: usize, rowFractions: usize, half: i32, out: usize, size: i32, from: i32, to: i32): void {
  for (let row = from; row < to; row++) {
    const lowerHalf = row >= half;
    const tableRow = <usize>((lowerHalf ? size - 1 - row : row) * half);
    let pixel = out + <usize>(row * size * 3);
    for (let column = 0; column < size; column++) {
      const index = tableRow + <usize>(column < half ? column : size - 1 - column);
      let y = <i32>load<u16>(rows + (index << 1));
      let fy = <i32>load<u8>(rowFractions + index);
      if (lowerHalf) {
        const reflected = reflect(height - 1, y, fy);
        y = reflected >> 8;
        fy = reflected & 255;
      }
      bilinear(source, width, load<i32>(columns + (<usize>column << 2)), <i32>load<u8>(columnFractions + <usize>column), y, fy, pixel);
      pixel += 3;
    }
  }
}

/**
 * Rows [from, to) of the zenith face, or of the nadir face, which is the zenith read upside down
 * with y reflected about the last row.
 */
export function polarRows(source: usize, width: i32, height: i32, columns: usize, columnFractions: usize, rows: usize, rowFractions: usize, half: i32, out: usize, size: i32, from: i32, to: i32, nadir: bool): void {
  const halfWidth = width >> 1;
  for (let row = from; row < to; row++) {
    const zenithRow = nadir ? size - 1 - row : row;
    const lowerHalf = zenithRow >= half;
    const tableRow = <usize>((lowerHalf ? size - 1 - zenithRow : zenithRow) * half);
    let pixel = out + <usize>(row * size * 3);
    for (let column = 0; column < size; column++) {
      const rightHalf = column >= half;
      const index = tableRow + <usize>(rightHalf ? size - 1 - column : column);
      let y = <i32>load<u16>(rows + (index << 1));
      let fy = <i32>load<u8>(rowFractions + index);
      if (nadir) {
        const reflected = reflect(height - 1, y, fy);
        y = reflected >> 8;
        fy = reflected & 255;
      }
      let x = <i32>load<u16>(columns + (index << 1));
      let fx = <i32>load<u8>(columnFractions + index);
      if (lowerHalf && rightHalf) {
        x = wrap(x + halfWidth, width);
      } else if (lowerHalf || rightHalf) {
        const reflected = reflect(rightHalf ? width - 1 : halfWidth - 1, x, fx);
        x = wrap(reflected >> 8, width);
        fx = reflected & 255;
      }
      bilinear(source, width, x, fx, y, fy, pixel);
      pixel += 3;
    }
  }
}
