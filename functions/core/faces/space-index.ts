import { DESCRIPTOR_LENGTH, NO_ROWS, ROW_BYTES, nearestRow, type FaceRows } from './face-rows.ts';
import type { SpaceChange } from './space-changes.ts';
import { applyChanges, foldInto, type IndexParts } from './space-edit.ts';
import { decodeRows, encodingFor } from './space-encoding.ts';

export { DESCRIPTOR_LENGTH };
export type { SpaceChange };

/**
 * The largest euclidean distance between face-api descriptors still taken as the same person.
 * ../shared/reference/faces.md §A.3: the library's own 0.6 matched 5 of 37 pairs of different
 * people in one photo, 0.50 one of them, 0.45 none. Tessera's pipeline (descriptors on landmark
 * boxes) measured the same: of the 31 pairs in face-api's sample photos the closest is 0.49, the
 * next 0.55; every transformed copy of one face (flip, re-encode, resize, light, grayscale,
 * rotation) stayed within 0.40. So 0.45: no false match on any pair measured.
 */
export const MATCH_DISTANCE = 0.45;

export interface FaceMatch {
  readonly faceId: number;
  readonly personId: number;
  readonly distance: number;
}

/**
 * The faces of one vision space, packed for search in memory: a space of 75,000 faces is 39 MB
 * and searched by brute force in a few milliseconds. Immutable: apply() answers a new index that
 * shares this one's base, so an index held by a cache is never changed under its readers.
 */
export class SpaceIndex {
  private constructor(private readonly parts: IndexParts) {}

  static empty(): SpaceIndex {
    return new SpaceIndex({ base: NO_ROWS, hidden: undefined, recent: NO_ROWS });
  }

  /** An index of what encode() wrote; throws on anything else. May share `bytes`' memory. */
  static decode(bytes: Uint8Array): SpaceIndex {
    return new SpaceIndex({ base: decodeRows(bytes), hidden: undefined, recent: NO_ROWS });
  }

  /** The stored form: faces in ascending id order, each once. */
  encode(): Uint8Array {
    const { bytes, columns } = encodingFor(this.size);
    foldInto(this.parts, columns);
    return bytes;
  }

  get size(): number {
    const { base, hidden, recent } = this.parts;
    let size = base.count + recent.count;
    if (hidden) for (let row = 0; row < base.count; row++) size -= hidden[row]!;
    return size;
  }

  /** Memory held, for caches that bound their size. */
  get byteLength(): number {
    return (this.parts.base.count + this.parts.recent.count) * ROW_BYTES + (this.parts.hidden?.byteLength ?? 0);
  }

  /** The stored face nearest to `descriptor`, if one is at most `maxDistance` away (e.g. MATCH_DISTANCE). */
  nearest(descriptor: Float32Array, maxDistance = Number.POSITIVE_INFINITY): FaceMatch | undefined {
    if (descriptor.length !== DESCRIPTOR_LENGTH)
      throw new RangeError(`a face descriptor has ${DESCRIPTOR_LENGTH} numbers, not ${descriptor.length}`);
    const { base, hidden, recent } = this.parts;
    const inBase = nearestRow(base, hidden, descriptor, maxDistance * maxDistance);
    const inRecent = nearestRow(recent, undefined, descriptor, inBase.squared);
    const [rows, found] = inRecent.row >= 0 ? [recent, inRecent] : [base, inBase];
    if (found.row < 0) return undefined;
    return { faceId: rows.faceIds[found.row]!, personId: rows.personIds[found.row]!, distance: Math.sqrt(found.squared) };
  }

  /** This index with `changes` applied in order; this one stays as it is. */
  apply(changes: readonly SpaceChange[]): SpaceIndex {
    return changes.length === 0 ? this : new SpaceIndex(applyChanges(this.parts, changes));
  }

  hasPerson(personId: number): boolean {
    let found = false;
    this.#eachVisible((rows, row) => (found = rows.personIds[row] === personId));
    return found;
  }

  /** Every person with a face in the space, ascending. */
  personIds(): number[] {
    const persons = new Set<number>();
    this.#eachVisible((rows, row) => void persons.add(rows.personIds[row]!));
    return [...persons].sort((a, b) => a - b);
  }

  /** Calls `visit` for each face until it answers true. */
  #eachVisible(visit: (rows: FaceRows, row: number) => boolean | void): void {
    const { base, hidden, recent } = this.parts;
    for (let row = 0; row < base.count; row++) if (hidden?.[row] !== 1 && visit(base, row)) return;
    for (let row = 0; row < recent.count; row++) if (visit(recent, row)) return;
  }
}
