import { persons } from '../services/persons.ts';
import { visionDialect } from './dialect.ts';
import { visionOk } from './envelope.ts';
import { filesOf, requirePersonIds } from './meta.ts';
import { objectOf, personsBody, personsMeta } from './request.ts';

/** POST /api/v1/persons/set: each image's one face becomes a photo of its person_id in the space. */
export const route = visionDialect.route(
  { summary: 'Link photos to persons in a space (exactly one face per photo)', body: personsBody, warmUp: persons.ready },
  async ({ client, body, files }) => {
    const meta = personsMeta(body, files, 'required');
    const images = requirePersonIds(meta);
    const found = filesOf(meta, files);
    const outcomes = await persons.set(
      client,
      meta.space,
      images.map((image, index) => ({ personId: image.personId, file: found[index]! })),
    );
    return visionOk({ objects: outcomes.map((outcome, index) => objectOf(images[index]!.name, outcome)) });
  },
);

export const handler = route.handler;
