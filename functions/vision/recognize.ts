import { invalidInput } from '../core/errors.ts';
import { persons, type RecognizedFace } from '../services/persons.ts';
import { visionDialect } from './dialect.ts';
import { visionOk } from './envelope.ts';
import { filesOf, flagOf, type Meta } from './meta.ts';
import { objectOf, personsBody, personsMeta } from './request.ts';

/** `searcher`: 0 searches as the first model does; 1 adds sex, age, emotion, valence and arousal. */
function searcherOf(meta: Meta): 0 | 1 {
  const value = meta.raw.searcher ?? 0;
  if (value !== 0 && value !== 1) throw invalidInput('meta.searcher must be 0 or 1');
  return value;
}

function personOf(face: RecognizedFace): Record<string, unknown> {
  const { box } = face;
  return {
    tag: face.personId === undefined ? 'undefined' : `person${face.personId}`,
    coord: [box.left, box.top, box.right, box.bottom],
    confidence: face.confidence,
    similarity: face.similarity,
    ...face.attributes,
  };
}

/** POST /api/v1/persons/recognize: who each image shows, by the persons stored in the space. */
export const route = visionDialect.route(
  { summary: 'Find stored persons in photos (optionally registering the unknown ones)', body: personsBody, warmUp: persons.ready },
  async ({ client, body, files }) => {
    const meta = personsMeta(body, files, 'required');
    const options = {
      createNew: flagOf(meta, 'create_new', false),
      updateEmbedding: flagOf(meta, 'update_embedding', true),
      attributes: searcherOf(meta) === 1,
    };
    const outcomes = await persons.recognize(client, meta.space, filesOf(meta, files), options);
    const objects = outcomes.map((outcome, index) => {
      const object = objectOf(meta.images[index]!.name, outcome);
      // An image with no face answers status 0 and no persons key at all, as VK's does.
      return outcome.status === 0 && outcome.faces.length ? { ...object, persons: outcome.faces.map(personOf) } : object;
    });
    return visionOk({ objects, aliases_changed: false });
  },
);

export const handler = route.handler;
