import { invalidInput } from '../errors.ts';
import { DESCRIPTOR_LENGTH } from './face-rows.ts';

/**
 * A stored face's weight stops growing here: the first photos of a face are averaged equally, and
 * every later one still moves the mean by 1/(MAX_REFINE_WEIGHT + 1), so a face keeps following
 * the person (age, glasses, light) instead of freezing after many photos.
 */
export const MAX_REFINE_WEIGHT = 8;

/** Person and face ids are stored as Uint32: 1 to this. */
export const MAX_STORED_ID = 0xffff_ffff;

/**
 * One change of a space: a face added to a person, a stored face refined with another photo of
 * it (its descriptor becomes the weighted mean), or every face of a person removed.
 */
export type SpaceChange =
  | { readonly op: 'add'; readonly faceId: number; readonly personId: number; readonly descriptor: Float32Array }
  | { readonly op: 'refine'; readonly faceId: number; readonly descriptor: Float32Array }
  | { readonly op: 'deletePerson'; readonly personId: number };

/** A change as a caller plans it: the store gives each added face its id. */
export type PlannedChange =
  { readonly op: 'add'; readonly personId: number; readonly descriptor: Float32Array } | Exclude<SpaceChange, { readonly op: 'add' }>;

function checkId(name: string, id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_STORED_ID)
    throw invalidInput(`${name} must be an integer from 1 to ${MAX_STORED_ID}, not ${id}`);
}

function checkDescriptor(descriptor: Float32Array): void {
  if (!(descriptor instanceof Float32Array) || descriptor.length !== DESCRIPTOR_LENGTH)
    throw invalidInput(`a face descriptor must be a Float32Array of ${DESCRIPTOR_LENGTH} numbers`);
  if (!descriptor.every(Number.isFinite)) throw invalidInput('a face descriptor must hold finite numbers only');
}

/** Refuses a change that could not be stored: ids outside Uint32, descriptors of the wrong shape. */
export function checkChange(change: SpaceChange): void {
  if (change.op !== 'deletePerson') {
    checkId('faceId', change.faceId);
    checkDescriptor(change.descriptor);
  }
  if (change.op !== 'refine') checkId('personId', change.personId);
}

/**
 * Refines the stored descriptor at `descriptors[offset…]`, averaged from `weight` photos, with
 * one more photo: the weighted mean, in place. Answers the new weight. Descriptors are not
 * normalised (face-api's are not), so the mean stays comparable by euclidean distance.
 */
export function refineInPlace(descriptors: Float32Array, offset: number, weight: number, sample: Float32Array): number {
  const kept = Math.min(weight, MAX_REFINE_WEIGHT);
  for (let k = 0; k < DESCRIPTOR_LENGTH; k++) descriptors[offset + k] = (descriptors[offset + k]! * kept + sample[k]!) / (kept + 1);
  return Math.min(kept + 1, MAX_REFINE_WEIGHT);
}
