// AssemblyScript, part of the kernel (compiled through cube-kernel.as.ts).
// Whether a region of RGB pixels holds a colour in one of the boxes of
// functions/core/panorama/jpeg-extremes.ts (where JPEG's overshoot deringing can change bytes).
// SIMD passes screen 16 pixels at a time: first for a byte that is dark or bright at all (on a
// photograph ~1 group in 10 has one), then for a pixel whose three bytes all are, which every box's
// pixels are; only pixels screened in both times are compared with the boxes.

const BOX_BYTES = 6;

@inline
function extremeBytes(bytes: v128, darkest: v128, brightest: v128): v128 {
  return v128.or(i8x16.le_u(bytes, darkest), i8x16.ge_u(bytes, brightest));
}

/**
 * Whether one of the 48 bytes at `at` is dark or bright. Shifted down by darkest + 1 (mod 256), the
 * bytes in between become 0 … lastMiddle and the others more, which a saturating subtraction of
 * lastMiddle leaves non-zero.
 */
@inline
function anyExtremeByte(at: usize, shift: v128, lastMiddle: v128): bool {
  const first = i8x16.sub_sat_u(i8x16.sub(v128.load(at), shift), lastMiddle);
  const second = i8x16.sub_sat_u(i8x16.sub(v128.load(at, 16), shift), lastMiddle);
  const third = i8x16.sub_sat_u(i8x16.sub(v128.load(at, 32), shift), lastMiddle);
  return v128.any_true(v128.or(v128.or(first, second), third));
}

/** Whether one of the 16 pixels at `at` (48 bytes) has all three bytes dark or bright. */
@inline
function screened(at: usize, darkest: v128, brightest: v128): bool {
  const first = extremeBytes(v128.load(at), darkest, brightest);
  const second = extremeBytes(v128.load(at, 16), darkest, brightest);
  const third = extremeBytes(v128.load(at, 32), darkest, brightest);
  // Byte k of each: bytes k, k + 1 and k + 2 of the 48 all extreme, kept where a pixel starts.
  const inFirst = v128.and(
    v128.and(first, i8x16.shuffle(first, second, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
    i8x16.shuffle(first, second, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17),
  );
  const inSecond = v128.and(
    v128.and(second, i8x16.shuffle(second, third, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
    i8x16.shuffle(second, third, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17),
  );
  const inThird = v128.and(
    v128.and(third, i8x16.shuffle(third, third, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15)),
    i8x16.shuffle(third, third, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15),
  );
  const starts = v128.or(
    v128.or(v128.and(inFirst, v128(-1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1)), v128.and(inSecond, v128(0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0))),
    v128.and(inThird, v128(0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0)),
  );
  return v128.any_true(starts);
}

function inABox(pixel: usize, boxes: usize, count: i32): bool {
  const r = load<u8>(pixel);
  const g = load<u8>(pixel, 1);
  const b = load<u8>(pixel, 2);
  for (let k = 0; k < count; k++) {
    const box = boxes + <usize>k * BOX_BYTES;
    if (r >= load<u8>(box) && g >= load<u8>(box, 1) && b >= load<u8>(box, 2) && r <= load<u8>(box, 3) && g <= load<u8>(box, 4) && b <= load<u8>(box, 5)) return true;
  }
  return false;
}

/**
 * 1 if a pixel of the `width` × `height` region at `src` (rows `stride` bytes apart) is in one of
 * the `count` boxes at `boxes` (low r, g, b, high r, g, b each), else 0. Every box keeps each channel
 * at or below `darkest` or at or above `brightest`. Reads only the region's bytes.
 */
export function holdsExtremeColours(src: usize, stride: i32, width: i32, height: i32, boxes: usize, count: i32, darkest: i32, brightest: i32): i32 {
  const dark = i8x16.splat(<i8>darkest);
  const bright = i8x16.splat(<i8>brightest);
  const shift = i8x16.splat(<i8>(darkest + 1));
  const lastMiddle = i8x16.splat(<i8>(brightest - darkest - 2));
  const chunks = width >> 4;
  for (let y = 0; y < height; y++) {
    const row = src + <usize>y * <usize>stride;
    for (let chunk = 0; chunk < chunks; chunk++) {
      const at = row + <usize>chunk * 48;
      if (!anyExtremeByte(at, shift, lastMiddle) || !screened(at, dark, bright)) continue;
      for (let pixel = 0; pixel < 16; pixel++) if (inABox(at + <usize>pixel * 3, boxes, count)) return 1;
    }
    for (let x = chunks << 4; x < width; x++) if (inABox(row + <usize>x * 3, boxes, count)) return 1;
  }
  return 0;
}
