import type { Client } from '../core/client.ts';
import { affectOf, type Affect } from '../core/faces/affect.ts';
import { MAX_STORED_ID } from '../core/faces/space-changes.ts';
import { MATCH_DISTANCE, SpaceIndex } from '../core/faces/space-index.ts';
import { MAX_FACES_PER_SPACE, spaceFull } from '../core/faces/space-limits.ts';
import { conflict, isTesseraError } from '../core/errors.ts';
import type { UploadedFile } from '../core/uploaded-file.ts';
import { faceEngine, FaceImageProblem, type DetectedFace } from '../adapters/face-engine.ts';
import { faceSpaces, isTransientStoreError, type PlannedChange, type SpaceSnapshot } from '../adapters/face-spaces.ts';
import { objectStore } from '../adapters/object-store.ts';
import { logger } from '../logger.ts';

/**
 * Persons in a client's vision spaces (VK Cloud Vision's persons API): faces found by the face
 * engine, their descriptors kept per (client, space) by faceSpaces. Each image gets its own
 * outcome: 0 done, 1 never will be (not an image, not one face, the space full), 2 try again
 * (storage, database or throttling failed). The space is written once per request.
 */
export interface Failure {
  readonly status: 1 | 2;
  readonly error: string;
}

export type Outcome<T = object> = ({ readonly status: 0 } & T) | Failure;

export interface RecognizedFace {
  /** The stored person nearest within MATCH_DISTANCE (or made for this face); undefined when none. */
  readonly personId: number | undefined;
  readonly box: DetectedFace['box'];
  readonly confidence: number;
  readonly similarity: number;
  readonly attributes?: { readonly sex: 'male' | 'female'; readonly age: number } & Affect;
}

export interface RecognizeOptions {
  readonly createNew: boolean;
  readonly updateEmbedding: boolean;
  readonly attributes: boolean;
}

export const ONE_FACE_REQUIRED = 'face set required only one face per image';
const TEMPORARY = 'temporary error: try again';

/**
 * create_new past the last person id: ids are never reused (truncate keeps counting), so the space
 * makes no new persons again; what the space holds, not the image, refuses it (status 1).
 */
const personIdsUsedUp = (space: string) =>
  conflict(
    `space ${space} has no person ids left to create new persons: person ${MAX_STORED_ID} is the last, and ids are never reused; use another space`,
    'StateNotAllowed',
  );

async function bytesOf(file: UploadedFile): Promise<Buffer> {
  return file.kind === 'held' ? file.data : objectStore.read(file.key);
}

/** What went wrong with one image, as its outcome; anything not known to be the image's or transient is thrown. */
function failureOf(error: unknown): Failure {
  if (error instanceof FaceImageProblem) return { status: 1, error: error.message };
  // The store's own refusal of a write past the space's limit (spaceFull), or past its person ids.
  if (isTesseraError(error) && error.kind === 'conflict' && error.reason === 'StateNotAllowed') return { status: 1, error: error.message };
  if (isTransientStoreError(error)) {
    logger.warn('vision: a transient failure, answered as status 2', { error });
    return { status: 2, error: TEMPORARY };
  }
  throw error;
}

async function detectEach(files: readonly UploadedFile[], purpose: 'enroll' | 'search', attributes: boolean) {
  const found: Array<DetectedFace[] | Failure> = [];
  for (const file of files) {
    try {
      found.push(await faceEngine.detect(await bytesOf(file), { purpose, attributes }));
    } catch (error) {
      found.push(failureOf(error));
    }
  }
  return found;
}

/** cos similarity of two descriptors of unit length, which face-api's nearly are: 1 − d²/2. */
const similarityOf = (distance: number) => Math.round((1 - (distance * distance) / 2) * 10_000) / 10_000;
const rounded = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function attributesOf(face: DetectedFace): RecognizedFace['attributes'] {
  if (!face.attributes) return undefined;
  return { sex: face.attributes.gender, age: rounded(face.attributes.age, 1), ...affectOf(face.attributes.expressions) };
}

/**
 * Decides, from one snapshot of the space, who each face is and what the space gains: refined
 * descriptors for matches, new persons for the unmatched when asked. A face is also matched
 * against the persons this request creates, so one new person in two photos is one person.
 */
function decideRecognition(snapshot: SpaceSnapshot, faces: readonly DetectedFace[], options: RecognizeOptions, space: string) {
  // The persons this request makes, searched like the space (their face ids are only local).
  let created = SpaceIndex.empty();
  const changes: PlannedChange[] = [];
  const people = faces.map((face) => {
    const stored = snapshot.index.nearest(face.descriptor);
    const fresh = created.nearest(face.descriptor);
    if (stored && stored.distance <= MATCH_DISTANCE && (!fresh || stored.distance <= fresh.distance)) {
      if (options.updateEmbedding) changes.push({ op: 'refine', faceId: stored.faceId, descriptor: face.descriptor });
      return { personId: stored.personId, similarity: similarityOf(stored.distance) };
    }
    if (fresh && fresh.distance <= MATCH_DISTANCE) return { personId: fresh.personId, similarity: similarityOf(fresh.distance) };
    if (!options.createNew) return { personId: undefined, similarity: 1 };
    if (snapshot.faceCount + created.size >= MAX_FACES_PER_SPACE) throw spaceFull(space, snapshot.faceCount + created.size + 1);
    const personId = snapshot.nextPersonId + created.size;
    if (personId > MAX_STORED_ID) throw personIdsUsedUp(space);
    created = created.apply([{ op: 'add', faceId: created.size + 1, personId, descriptor: face.descriptor }]);
    changes.push({ op: 'add', personId, descriptor: face.descriptor });
    return { personId, similarity: 1 };
  });
  return { changes, result: people };
}

export const persons = {
  /** Loads the models and runs them once, so the first request does not pay for it. */
  ready: (): Promise<void> => faceEngine.warm(),

  /** Links each image's one face to its person. */
  async set(client: Client, space: string, images: ReadonlyArray<{ personId: number; file: UploadedFile }>): Promise<Outcome[]> {
    const detected = await detectEach(
      images.map((image) => image.file),
      'enroll',
      false,
    );
    const outcomes: Outcome[] = detected.map((found) =>
      Array.isArray(found) ? (found.length === 1 ? { status: 0 } : { status: 1, error: ONE_FACE_REQUIRED }) : found,
    );
    const enrolled = images.flatMap((image, index) =>
      outcomes[index]!.status === 0 ? [{ index, personId: image.personId, face: (detected[index] as DetectedFace[])[0]! }] : [],
    );
    if (!enrolled.length) return outcomes;
    try {
      await faceSpaces.change(client.clientId, space, (snapshot) => {
        if (snapshot.faceCount + enrolled.length > MAX_FACES_PER_SPACE) throw spaceFull(space, snapshot.faceCount + enrolled.length);
        return {
          changes: enrolled.map(({ personId, face }) => ({ op: 'add' as const, personId, descriptor: face.descriptor })),
          result: undefined,
        };
      });
    } catch (error) {
      const failed = failureOf(error);
      for (const { index } of enrolled) outcomes[index] = failed;
    }
    return outcomes;
  },

  /** Who each image shows. */
  async recognize(
    client: Client,
    space: string,
    files: readonly UploadedFile[],
    options: RecognizeOptions,
  ): Promise<Array<Outcome<{ faces: RecognizedFace[] }>>> {
    const detected = await detectEach(files, 'search', options.attributes);
    const faces = detected.flatMap((found) => (Array.isArray(found) ? found : []));
    let people: Array<{ personId: number | undefined; similarity: number }> = [];
    let failed: Failure | undefined;
    if (faces.length) {
      try {
        people = await faceSpaces.change(client.clientId, space, (snapshot) => decideRecognition(snapshot, faces, options, space));
      } catch (error) {
        failed = failureOf(error);
      }
    }
    let next = 0;
    return detected.map((found) => {
      if (!Array.isArray(found)) return found;
      if (found.length && failed) return failed;
      return {
        status: 0,
        faces: found.map((face) => {
          const person = people[next++]!;
          return { ...person, box: face.box, confidence: rounded(face.score, 4), attributes: attributesOf(face) };
        }),
      };
    });
  },

  /** Removes persons (every face of each) from the space; one not there is already removed. */
  async delete(client: Client, space: string, personIds: readonly number[]): Promise<Outcome[]> {
    try {
      await faceSpaces.change(client.clientId, space, (snapshot) => ({
        changes: [...new Set(personIds)]
          .filter((personId) => snapshot.index.hasPerson(personId))
          .map((personId) => ({ op: 'deletePerson' as const, personId })),
        result: undefined,
      }));
      return personIds.map(() => ({ status: 0 }));
    } catch (error) {
      const failed = failureOf(error);
      return personIds.map(() => failed);
    }
  },

  truncate: (client: Client, space: string): Promise<void> => faceSpaces.truncate(client.clientId, space),
};
