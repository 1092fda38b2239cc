import { setFlagsFromString } from 'node:v8';
import type { Face, Reduction } from '../../core/panorama/layout.ts';
import {
  columnSample,
  FRACTION_ONE,
  fractionOf,
  sampleTables,
  wholeOf,
  type SampleTables,
  type TableArrays,
} from '../../core/panorama/cube.ts';
import { extremeColourTable } from '../../core/panorama/jpeg-extremes.ts';
import { lanczosTableBytes, reductionScratchBytes, reductionStrips, writeLanczosTable } from '../../core/panorama/lanczos-table.ts';
import { CUBE_KERNEL_WASM_BASE64 } from './kernel/cube-kernel-module.ts';
import { adviseHugePages } from './huge-pages.ts';
import { FOLLOW_ABANDONED, FOLLOW_WRITTEN, followControl, startKernelHelper } from './kernel-helper.ts';
import { readFileInto, sharedChunks, unreadChunks } from './read-file-into.ts';

/** Renders rows `from`..`to` of a face (byte offsets into the kernel's memory, sizes in pixels). */
type RowsRenderer = (
  source: number,
  width: number,
  height: number,
  columns: number,
  columnFractions: number,
  rows: number,
  rowFractions: number,
  half: number,
  weights: number,
  counts: number,
  out: number,
  size: number,
  from: number,
  to: number,
) => void;

/** The kernel module's exports (kernel/cube-kernel.as.ts), as this sampler and the tests call them. */
export interface KernelExports {
  /** Fills the bicubic weight table (CUBIC_WEIGHT_TABLE_BYTES, 16-aligned) the row renderers read. */
  cubicWeightTable(weights: number, bytes: number): void;
  /** Flags rows [from, to) of the panorama that, with the row below, hold a hard edge (a byte each at `flags`). */
  hardEdgeRows(source: number, width: number, height: number, flags: number, from: number, to: number): void;
  sideRows: RowsRenderer;
  /** The same for the up and down faces; `nadir` is 1 for the down face. */
  polarRows(...args: [...Parameters<RowsRenderer>, nadir: number]): void;
  /** The quadrant tables' entries (see tables.as.ts). */
  quadrantTables(
    half: number,
    width: number,
    height: number,
    coordinates: number,
    inverseNorms: number,
    sideY: number,
    sideFy: number,
    topX: number,
    topFx: number,
    topY: number,
    topFy: number,
  ): void;
  /** Strips [fromStrip, toStrip) of the n × n image at src reduced into the m × m image at out (see lanczos.as.ts). */
  reduce(src: number, n: number, out: number, m: number, table: number, scratch: number, fromStrip: number, toStrip: number): void;
  /** 1 if the region holds a colour in one of `count` boxes (see jpeg-extremes.as.ts and core/panorama/jpeg-extremes.ts). */
  holdsExtremeColours(
    src: number,
    stride: number,
    width: number,
    height: number,
    boxes: number,
    count: number,
    darkest: number,
    brightest: number,
  ): number;
}

const PAGE = 65536;
/** The bicubic weights of each fraction, then the hard-edge weights, 80 bytes each (see bicubic.as.ts). */
const CUBIC_WEIGHT_TABLE_BYTES = 2 * FRACTION_ONE * 80;
/** Pages of the operating system, touched one by one to fault them in. */
const OS_PAGE = 4096;
let compiled: WebAssembly.Module | undefined;

/**
 * Compiled straight to optimised code: V8 otherwise runs a module's functions on its baseline
 * compiler first and optimises them only once they have run a while, and each kernel call renders
 * hundreds of rows, so the first face of each kind (side, polar) was rendered unoptimised — at
 * 16K, 0.6 s more each. The flag is read at compile time and restored after.
 */
function kernelModule(): WebAssembly.Module {
  if (compiled) return compiled;
  setFlagsFromString('--no-liftoff');
  setFlagsFromString('--no-wasm-lazy-compilation');
  try {
    compiled = new WebAssembly.Module(Buffer.from(CUBE_KERNEL_WASM_BASE64, 'base64'));
  } finally {
    setFlagsFromString('--liftoff');
    setFlagsFromString('--wasm-lazy-compilation');
  }
  return compiled;
}

/** Quarter turns of longitude from face f, for the side faces. */
const SIDE_TURNS: Partial<Record<Face, number>> = { f: 0, r: 1, b: 2, l: -1 };

/** Hands out aligned, non-overlapping regions of one linear memory (from `start`, below `limit`), front to back. */
class Arena {
  private next: number;
  constructor(
    private readonly memory: WebAssembly.Memory,
    start = 8,
    private readonly limit = memory.buffer.byteLength,
  ) {
    this.next = start;
  }
  take(bytes: number, align: number): number {
    const offset = Math.ceil(this.next / align) * align;
    this.next = offset + bytes;
    if (this.next > this.limit) throw new Error('the cube sampler outgrew its memory');
    return offset;
  }
  uint8 = (length: number, align = 1) => new Uint8Array(this.memory.buffer, this.take(length, align), length);
  uint16 = (length: number) => new Uint16Array(this.memory.buffer, this.take(length * 2, 2), length);
  int32 = (length: number, align = 4) => new Int32Array(this.memory.buffer, this.take(length * 4, align), length);
  float64 = (length: number) => new Float64Array(this.memory.buffer, this.take(length * 8, 8), length);
}

const EXTREME_COLOURS = extremeColourTable();

/** Faces the sampler holds at once: one being rendered while the one before is still being encoded. */
export const FACE_SLOTS = 2;

/** The hard-edge rows' flags (a byte a row) and running counts (an i32 a row and one more), plus alignment. */
const hardEdgeBytes = (height: number) => height + 4 * (height + 1) + 4;

/**
 * The quadrant tables' bytes: three 16-bit positions and three 16-bit fractions a quadrant pixel,
 * two doubles a quadrant column, plus alignment.
 */
const quadrantTableBytes = (size: number) => 12 * Math.ceil(size / 2) ** 2 + 16 * Math.ceil(size / 2) + 16;

interface ReductionStep {
  /** The size of the image the step starts from. */
  readonly n: number;
  readonly m: number;
}

/** The reductions as n → m. */
const reductionSizes = (size: number, reductions: readonly Reduction[]): ReductionStep[] =>
  reductions.map(({ from, size: m }, step) => {
    if (!Number.isInteger(from) || from < -1 || from >= step)
      throw new Error(`reduction ${step} starts from step ${from}, not from one before it`);
    return { n: from < 0 ? size : reductions[from]!.size, m };
  });

/** One thread's reduction scratch: enough for the largest step. */
const scratchBytesFor = (steps: readonly ReductionStep[]) => Math.max(0, ...steps.map(({ n, m }) => reductionScratchBytes(n, m)));

/**
 * Bytes of linear memory a sampler needs: the panorama, the weight and quadrant tables, the face slots with
 * their reductions' images, the reduction tables, and a reduction scratch area for each thread (64
 * bytes of alignment a region).
 */
function samplerMemoryBytes(size: number, width: number, height: number, steps: readonly ReductionStep[]): number {
  const images = steps.reduce((bytes, { m }) => bytes + m * m * 3 + 64, 0);
  const tables = steps.reduce((bytes, { m }) => bytes + lanczosTableBytes(m) + 64, 0);
  const scratch = 2 * (scratchBytesFor(steps) + 64);
  const samplingTables = size * 6 + CUBIC_WEIGHT_TABLE_BYTES + 16 + quadrantTableBytes(size) + hardEdgeBytes(height);
  return (
    1024 + EXTREME_COLOURS.bytes.length + width * height * 3 + samplingTables + FACE_SLOTS * (size * size * 3 + images) + tables + scratch
  );
}

export interface CubeSampler {
  readonly size: number;
  /** Copies in the panorama's RGB bytes (width × height × 3), before any face is rendered. */
  setSource(pixels: Uint8Array): void;
  /**
   * Reads the panorama's RGB bytes from the file at `path`, from byte `fileOffset` on, while a
   * decoder is still writing it (on the helper thread; this one meanwhile builds the sample and
   * reduction tables and touches the pages of the face slots and their reductions); `written`
   * settles when the writer has finished or failed. The file is used up: the pages read are given
   * back (punchHole) where it is writable and holes can be punched, so it reads as zeros there after.
   * Rejects with the writer's error, or when the file holds fewer bytes than the panorama.
   */
  loadSource(path: string, fileOffset: number, written: Promise<void>): Promise<void>;
  /**
   * Renders rows [from, to) of a face into face slot `slot` (0 or 1), half of them on this thread
   * and half on the helper thread, and returns that slot's view of the whole face. The view stays
   * valid (the memory never grows) and is rewritten only when the same slot is rendered into
   * again, so a caller may hand it to sharp meanwhile. Should the helper thread fail or be gone,
   * this thread renders its half too (rendering is idempotent), so a build never depends on it.
   */
  render(face: Face, slot: number, from?: number, to?: number): Promise<Uint8Array>;
  /**
   * Makes reduction `step` (an index into the reductions the sampler was created with) of the face
   * in slot `slot`, from the image it starts from, with Lanczos-3, half the strips on each thread as
   * `render` does, and returns that slot's view of it. The view stays valid until the same slot and
   * step are made again; the step it starts from must be made first.
   */
  shrink(slot: number, step: number): Promise<Uint8Array>;
  /**
   * Whether the `width` × `height` region at (`left`, `top`) of `image`, a view this sampler handed
   * out (`imageSize` pixels a side), holds a colour that JPEG's overshoot deringing can change
   * (core/panorama/jpeg-extremes.ts). Runs on this thread: ~0.2 ms a 512² tile that holds none (at 8K,
   * 306 tiles in 60–70 ms).
   */
  holdsJpegExtremes(image: Uint8Array, imageSize: number, left: number, top: number, width: number, height: number): boolean;
  /** Stops the helper thread. */
  close(): Promise<void>;
}

/**
 * The cube projection on the WebAssembly kernel: one linear memory holds the panorama, the
 * shared sample tables (computed by the kernel, straight into that memory) and two face slots,
 * each with room for the images of the face's `reductions` (each at least half the image it starts
 * from, and no larger). Sized once, so the views handed out never detach; shared, so a
 * helper thread renders half of every face beside this one.
 */
export function createCubeSampler(size: number, width: number, height: number, reductions: readonly Reduction[] = []): CubeSampler {
  const steps = reductionSizes(size, reductions);
  const pages = Math.ceil(samplerMemoryBytes(size, width, height, steps) / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  // Huge pages also make reading the panorama straight into the memory pay (see readFileInto).
  const bounced = !adviseHugePages(memory.buffer);
  const kernel = new WebAssembly.Instance(kernelModule(), { env: { memory, abort: () => undefined } }).exports as unknown as KernelExports;
  const arena = new Arena(memory);
  const sourceBytes = width * height * 3;
  const source = arena.uint8(sourceBytes);
  const sourceOffset = source.byteOffset;
  const columns = arena.int32(size);
  const columnFractions = arena.uint16(size);
  const weights = arena.take(CUBIC_WEIGHT_TABLE_BYTES, 16);
  const hardRows = arena.uint8(height);
  const hardRowCounts = arena.int32(height + 1);
  // Set aside now, filled once the source is on its way (see buildTables).
  const tableBytes = quadrantTableBytes(size);
  const tablesOffset = arena.take(tableBytes, 8);
  const slots = Array.from({ length: FACE_SLOTS }, () => arena.uint8(size * size * 3));
  const slotImages = slots.map(() => steps.map(({ m }) => arena.uint8(m * m * 3, 64)));
  const reductionTables = steps.map(({ m }) => arena.int32(lanczosTableBytes(m) / 4, 64));
  // One scratch area a thread: this one's, then the helper's.
  const scratchBytes = scratchBytesFor(steps);
  const [scratch, helperScratch] = [arena.take(scratchBytes, 64), arena.take(scratchBytes, 64)];
  const extremeBoxes = arena.uint8(EXTREME_COLOURS.bytes.length);
  extremeBoxes.set(EXTREME_COLOURS.bytes);
  let tables: SampleTables | undefined;
  let turnedFor: number | undefined;
  const helper = startKernelHelper(kernelModule(), memory);

  /**
   * Runs kernel export `name` with `here` on this thread and `there` on the helper thread. Should
   * the helper fail or be gone, this thread runs `there` too (the two parts do not overlap, and
   * running a part again gives the same bytes), so a build never depends on the helper.
   */
  const inHalves = async (name: keyof KernelExports, here: readonly number[], there: readonly number[]) => {
    const run = kernel[name] as (...args: readonly number[]) => void;
    const helped = helper.call(name, there).then(
      () => true,
      () => false,
    );
    try {
      run(...here);
    } catch (error) {
      await helped;
      throw error;
    }
    if (!(await helped)) run(...there);
  };

  /** The hard-edge rows' running counts (see hardEdgeRows), from their flags. */
  const countHardRows = () => {
    hardRowCounts[0] = 0;
    for (let row = 0; row < height; row++) hardRowCounts[row + 1] = hardRowCounts[row]! + hardRows[row]!;
  };
  const hardRowArguments = (from: number, to: number): Parameters<KernelExports['hardEdgeRows']> => [
    sourceOffset,
    width,
    height,
    hardRows.byteOffset,
    from,
    to,
  ];

  const buildTables = () => {
    if (tables) return;
    // Set last: a sampler with tables is ready to render.
    kernel.cubicWeightTable(weights, CUBIC_WEIGHT_TABLE_BYTES);
    steps.forEach(({ n, m }, step) => writeLanczosTable(n, m, reductionTables[step]!));
    const arrays = new Arena(memory, tablesOffset, tablesOffset + tableBytes) satisfies TableArrays;
    tables = sampleTables(size, width, height, arrays, ({ half, coordinates, inverseNorms, sideY, sideFy, topX, topFx, topY, topFy }) =>
      kernel.quadrantTables(
        half,
        width,
        height,
        coordinates.byteOffset,
        inverseNorms.byteOffset,
        sideY.byteOffset,
        sideFy.byteOffset,
        topX.byteOffset,
        topFx.byteOffset,
        topY.byteOffset,
        topFy.byteOffset,
      ),
    );
  };

  return {
    size,
    setSource(pixels) {
      if (pixels.length !== sourceBytes) throw new Error(`the panorama has ${pixels.length} bytes, not ${sourceBytes}`);
      source.set(pixels);
      kernel.hardEdgeRows(...hardRowArguments(0, height));
      countHardRows();
      buildTables();
    },
    async loadSource(path, fileOffset, written) {
      const control = followControl(sourceBytes);
      const following = helper.follow({ path, fileOffset, offset: sourceOffset, bytes: sourceBytes, control, bounced });
      following.catch(() => undefined);
      const signal = (state: number) => {
        Atomics.store(control, 0, state);
        Atomics.notify(control, 0);
      };
      const abandon = async (error: unknown): Promise<never> => {
        signal(FOLLOW_ABANDONED);
        await following.catch(() => undefined);
        throw error;
      };
      // While libvips decodes and the helper reads in behind it: the tables, then the pages of the
      // face slots and their levels touched once, so their page faults are not paid during projection.
      buildTables();
      for (const image of [...slots, ...slotImages.flat()]) for (let page = 0; page < image.length; page += OS_PAGE) image[page] = 0;
      try {
        await written;
      } catch (error) {
        return abandon(error);
      }
      signal(FOLLOW_WRITTEN);
      // The file is whole: this thread reads the chunks the helper has not claimed yet, beside it.
      try {
        readFileInto(path, fileOffset, source, bounced, sharedChunks(control));
      } catch (error) {
        return abandon(error);
      }
      // Should the helper have failed, this thread reads the chunks it left unread (those read are
      // gone from the file).
      await following.catch(() => readFileInto(path, fileOffset, source, bounced, unreadChunks(control)));
      const middle = Math.ceil(height / 2);
      await inHalves('hardEdgeRows', hardRowArguments(0, middle), hardRowArguments(middle, height));
      countHardRows();
    },
    async render(name, slot, from = 0, to = size) {
      const face = slots[slot];
      if (!face) throw new Error(`face slot ${slot} does not exist`);
      const ready = tables;
      if (!ready) throw new Error('a face was rendered before the panorama was loaded');
      const faceOffset = face.byteOffset;
      const turns = SIDE_TURNS[name];
      const middle = from + Math.ceil((to - from) / 2);
      if (turns === undefined) {
        const rows = (first: number, end: number) => [
          sourceOffset,
          width,
          height,
          ready.topX.byteOffset,
          ready.topFx.byteOffset,
          ready.topY.byteOffset,
          ready.topFy.byteOffset,
          ready.half,
          weights,
          hardRowCounts.byteOffset,
          faceOffset,
          size,
          first,
          end,
          name === 'd' ? 1 : 0,
        ];
        await inHalves('polarRows', rows(from, middle), rows(middle, to));
        return face;
      }
      if (turnedFor !== turns) {
        const shift = (turns * width) / 4;
        for (let column = 0; column < size; column++) {
          const sample = columnSample(ready.sideX[column]! + shift, width);
          columns[column] = wholeOf(sample);
          columnFractions[column] = fractionOf(sample);
        }
        turnedFor = turns;
      }
      const rows = (first: number, end: number) => [
        sourceOffset,
        width,
        height,
        columns.byteOffset,
        columnFractions.byteOffset,
        ready.sideY.byteOffset,
        ready.sideFy.byteOffset,
        ready.half,
        weights,
        hardRowCounts.byteOffset,
        faceOffset,
        size,
        first,
        end,
      ];
      await inHalves('sideRows', rows(from, middle), rows(middle, to));
      return face;
    },
    async shrink(slot, step) {
      const images = slotImages[slot];
      const face = slots[slot];
      const reduction = reductions[step];
      if (!images || !face) throw new Error(`face slot ${slot} does not exist`);
      if (!reduction) throw new Error(`the sampler has no reduction ${step}`);
      if (!tables) throw new Error('a reduction was made before the panorama was loaded');
      const { n, m } = steps[step]!;
      const source = (images[reduction.from] ?? face).byteOffset;
      const out = images[step]!;
      const strips = reductionStrips(m);
      const middle = Math.ceil(strips / 2);
      const table = reductionTables[step]!.byteOffset;
      // Should the helper fail, this thread's scratch serves for its strips too: they come after.
      await inHalves(
        'reduce',
        [source, n, out.byteOffset, m, table, scratch, 0, middle],
        [source, n, out.byteOffset, m, table, helperScratch, middle, strips],
      );
      return out;
    },
    holdsJpegExtremes(image, imageSize, left, top, regionWidth, regionHeight) {
      const inside =
        left >= 0 && top >= 0 && regionWidth > 0 && regionHeight > 0 && left + regionWidth <= imageSize && top + regionHeight <= imageSize;
      if (image.buffer !== memory.buffer || image.length !== imageSize * imageSize * 3 || !inside)
        throw new Error('holdsJpegExtremes reads a region of a face or level this sampler made');
      const stride = imageSize * 3;
      const { count, darkest, brightest } = EXTREME_COLOURS;
      const boxes = extremeBoxes.byteOffset;
      const at = image.byteOffset + top * stride + left * 3;
      return kernel.holdsExtremeColours(at, stride, regionWidth, regionHeight, boxes, count, darkest, brightest) === 1;
    },
    close: () => helper.close(),
  };
}
