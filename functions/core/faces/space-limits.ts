import { conflict, invalidInput } from '../errors.ts';

/** VK Cloud Vision's limit of faces per space. */
export const MAX_FACES_PER_SPACE = 75_000;

/** A client's spaces are "0" to "9". */
const SPACE_NAME = /^[0-9]$/;

export function checkSpaceName(space: string): void {
  if (!SPACE_NAME.test(space)) throw invalidInput(`space must be "0" to "9", not ${JSON.stringify(space)}`);
}

/** A write that would take a space past MAX_FACES_PER_SPACE: what the space holds does not allow it. */
export const spaceFull = (space: string, faces: number) =>
  conflict(`space ${space} is full: it would hold ${faces} faces, over the limit of ${MAX_FACES_PER_SPACE}`, 'StateNotAllowed');
