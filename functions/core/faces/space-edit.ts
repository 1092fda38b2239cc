import { invalidInput } from '../errors.ts';
import { DESCRIPTOR_LENGTH, type FaceRows } from './face-rows.ts';
import { checkChange, refineInPlace, type SpaceChange } from './space-changes.ts';

/**
 * A space as a base (shared, possibly with a cache: never written) and what changed since:
 * which base rows are `hidden` (deleted, or moved to `recent` when refined) and the `recent`
 * rows (faces added or refined since). A change then costs a copy of the small parts only.
 */
export interface IndexParts {
  readonly base: FaceRows;
  readonly hidden: Uint8Array | undefined;
  readonly recent: FaceRows;
}

/** The row of `faceId` in rows whose face ids ascend, or -1. */
function rowByFaceId(rows: FaceRows, faceId: number): number {
  let low = 0;
  let high = rows.count - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = rows.faceIds[middle]!;
    if (found === faceId) return middle;
    if (found < faceId) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Rows being edited: a private copy with room for `room` more. */
class GrowingRows implements FaceRows {
  count: number;
  readonly faceIds: Uint32Array;
  readonly personIds: Uint32Array;
  readonly weights: Float32Array;
  readonly descriptors: Float32Array;
  /** Row by face id, built when first asked. */
  #rowOf: Map<number, number> | undefined;

  constructor(from: FaceRows, room: number) {
    const capacity = from.count + room;
    this.count = from.count;
    this.faceIds = new Uint32Array(capacity);
    this.personIds = new Uint32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.descriptors = new Float32Array(capacity * DESCRIPTOR_LENGTH);
    this.faceIds.set(from.faceIds.subarray(0, from.count));
    this.personIds.set(from.personIds.subarray(0, from.count));
    this.weights.set(from.weights.subarray(0, from.count));
    this.descriptors.set(from.descriptors.subarray(0, from.count * DESCRIPTOR_LENGTH));
  }

  rowOf(faceId: number): number | undefined {
    if (!this.#rowOf) {
      this.#rowOf = new Map();
      for (let row = 0; row < this.count; row++) this.#rowOf.set(this.faceIds[row]!, row);
    }
    return this.#rowOf.get(faceId);
  }

  push(faceId: number, personId: number, weight: number, descriptor: Float32Array): number {
    const row = this.count++;
    this.faceIds[row] = faceId;
    this.personIds[row] = personId;
    this.weights[row] = weight;
    this.descriptors.set(descriptor, row * DESCRIPTOR_LENGTH);
    this.#rowOf?.set(faceId, row);
    return row;
  }

  /** Drops every row of a person, keeping the others in order. */
  dropPerson(personId: number): void {
    let kept = 0;
    for (let row = 0; row < this.count; row++) {
      if (this.personIds[row] === personId) continue;
      if (kept !== row) {
        this.faceIds[kept] = this.faceIds[row]!;
        this.personIds[kept] = this.personIds[row]!;
        this.weights[kept] = this.weights[row]!;
        this.descriptors.copyWithin(kept * DESCRIPTOR_LENGTH, row * DESCRIPTOR_LENGTH, (row + 1) * DESCRIPTOR_LENGTH);
      }
      kept++;
    }
    if (kept === this.count) return;
    this.count = kept;
    this.#rowOf = undefined;
  }
}

/** Applies changes in order to copies of the parts that change; `parts` stay as they were. */
export function applyChanges(parts: IndexParts, changes: readonly SpaceChange[]): IndexParts {
  const { base } = parts;
  const recent = new GrowingRows(parts.recent, changes.filter((change) => change.op !== 'deletePerson').length);
  let ownHidden: Uint8Array | undefined;
  const hide = (row: number) => {
    ownHidden ??= parts.hidden?.slice() ?? new Uint8Array(base.count);
    ownHidden[row] = 1;
  };
  const isHidden = (row: number) => (ownHidden ?? parts.hidden)?.[row] === 1;
  const visibleBaseRow = (faceId: number) => {
    const row = rowByFaceId(base, faceId);
    return row >= 0 && !isHidden(row) ? row : -1;
  };

  for (const change of changes) {
    checkChange(change);
    if (change.op === 'add') {
      if (visibleBaseRow(change.faceId) >= 0 || recent.rowOf(change.faceId) !== undefined)
        throw invalidInput(`face ${change.faceId} is already in this space`);
      recent.push(change.faceId, change.personId, 1, change.descriptor);
    } else if (change.op === 'refine') {
      let row = recent.rowOf(change.faceId);
      if (row === undefined) {
        const baseRow = visibleBaseRow(change.faceId);
        if (baseRow < 0) throw invalidInput(`face ${change.faceId} is not in this space`);
        hide(baseRow);
        const offset = baseRow * DESCRIPTOR_LENGTH;
        row = recent.push(
          change.faceId,
          base.personIds[baseRow]!,
          base.weights[baseRow]!,
          base.descriptors.subarray(offset, offset + DESCRIPTOR_LENGTH),
        );
      }
      recent.weights[row] = refineInPlace(recent.descriptors, row * DESCRIPTOR_LENGTH, recent.weights[row]!, change.descriptor);
    } else {
      for (let row = 0; row < base.count; row++) if (base.personIds[row] === change.personId && !isHidden(row)) hide(row);
      recent.dropPerson(change.personId);
    }
  }
  return { base, hidden: ownHidden ?? parts.hidden, recent };
}

/** Copies every visible face of `parts` into `into` (sized for them), face ids ascending: the form a base is stored in. */
export function foldInto({ base, hidden, recent }: IndexParts, into: FaceRows): void {
  const recentOrder = Array.from({ length: recent.count }, (_, row) => row).sort((a, b) => recent.faceIds[a]! - recent.faceIds[b]!);
  let written = 0;
  const copy = (rows: FaceRows, from: number, to: number) => {
    into.faceIds.set(rows.faceIds.subarray(from, to), written);
    into.personIds.set(rows.personIds.subarray(from, to), written);
    into.weights.set(rows.weights.subarray(from, to), written);
    into.descriptors.set(rows.descriptors.subarray(from * DESCRIPTOR_LENGTH, to * DESCRIPTOR_LENGTH), written * DESCRIPTOR_LENGTH);
    written += to - from;
  };
  // Base rows go in runs, broken where a row is hidden or a recent face's id comes before the row's.
  let next = 0;
  const recentBefore = (row: number) =>
    next < recentOrder.length && (row === base.count || recent.faceIds[recentOrder[next]!]! < base.faceIds[row]!);
  let runStart = 0;
  for (let row = 0; row <= base.count; row++) {
    const isHidden = hidden?.[row] === 1;
    if (row < base.count && !isHidden && !recentBefore(row)) continue;
    copy(base, runStart, row);
    for (; recentBefore(row); next++) copy(recent, recentOrder[next]!, recentOrder[next]! + 1);
    runStart = isHidden ? row + 1 : row;
  }
}
