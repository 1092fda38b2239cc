import { TesseraError } from '../errors.ts';
import { DESCRIPTOR_LENGTH, ROW_BYTES, type FaceRows } from './face-rows.ts';

/**
 * The stored form of a space's faces: a 12-byte header (magic "TFSI", format version u16,
 * descriptor length u16, face count u32), then the columns faceIds u32[n], personIds u32[n],
 * weights f32[n], descriptors f32[n·128]. Little-endian throughout, so on the hosts Tessera runs
 * on (x86-64, arm64) the columns are read as typed arrays with no conversion.
 */
const MAGIC = 0x49_53_46_54; // "TFSI" read as a little-endian u32
const FORMAT_VERSION = 1;
const HEADER_BYTES = 12;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where each column begins, for `count` faces after a header at `start`. */
const columnsAt = (start: number, count: number) => ({
  faceIds: start + HEADER_BYTES,
  personIds: start + HEADER_BYTES + count * 4,
  weights: start + HEADER_BYTES + count * 8,
  descriptors: start + HEADER_BYTES + count * 12,
});

const corrupt = (why: string) => new TesseraError('internal', `stored face space is corrupt: ${why}`);

function requireLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new TesseraError('internal', 'packed face spaces are read and written on little-endian hosts only');
}

/** The stored form of `count` faces, header written, with its columns as typed arrays to fill. */
export function encodingFor(count: number): { bytes: Uint8Array; columns: FaceRows } {
  requireLittleEndianHost();
  const bytes = new Uint8Array(HEADER_BYTES + count * ROW_BYTES);
  const header = new DataView(bytes.buffer, 0, HEADER_BYTES);
  header.setUint32(0, MAGIC, true);
  header.setUint16(4, FORMAT_VERSION, true);
  header.setUint16(6, DESCRIPTOR_LENGTH, true);
  header.setUint32(8, count, true);
  return { bytes, columns: columnsIn(bytes, count) };
}

const columnsIn = (bytes: Uint8Array, count: number): FaceRows => {
  const at = columnsAt(bytes.byteOffset, count);
  return {
    count,
    faceIds: new Uint32Array(bytes.buffer, at.faceIds, count),
    personIds: new Uint32Array(bytes.buffer, at.personIds, count),
    weights: new Float32Array(bytes.buffer, at.weights, count),
    descriptors: new Float32Array(bytes.buffer, at.descriptors, count * DESCRIPTOR_LENGTH),
  };
};

/**
 * Reads what encodingFor laid out, refusing anything else: wrong magic, version or size, face ids
 * not ascending, ids or weights out of range. The rows may share `bytes`' memory (when it is
 * 4-byte aligned): the bytes must not be changed afterwards.
 */
export function decodeRows(bytes: Uint8Array): FaceRows {
  requireLittleEndianHost();
  if (bytes.byteLength < HEADER_BYTES) throw corrupt(`${bytes.byteLength} bytes is shorter than the header`);
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (header.getUint32(0, true) !== MAGIC) throw corrupt('it does not begin with "TFSI"');
  if (header.getUint16(4, true) !== FORMAT_VERSION) throw corrupt(`format version ${header.getUint16(4, true)} is not ${FORMAT_VERSION}`);
  if (header.getUint16(6, true) !== DESCRIPTOR_LENGTH)
    throw corrupt(`descriptors of ${header.getUint16(6, true)} numbers, not ${DESCRIPTOR_LENGTH}`);
  const count = header.getUint32(8, true);
  if (bytes.byteLength !== HEADER_BYTES + count * ROW_BYTES) throw corrupt(`${bytes.byteLength} bytes do not hold exactly ${count} faces`);

  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const rows = columnsIn(aligned, count);
  for (let row = 0; row < count; row++) {
    if (rows.faceIds[row] === 0 || (row > 0 && rows.faceIds[row]! <= rows.faceIds[row - 1]!))
      throw corrupt(`face ids do not ascend at row ${row}`);
    if (rows.personIds[row] === 0) throw corrupt(`row ${row} has no person`);
    if (!(rows.weights[row]! >= 1)) throw corrupt(`row ${row} has weight ${rows.weights[row]}`);
  }
  return rows;
}
