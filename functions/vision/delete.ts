import { persons } from '../services/persons.ts';
import { visionDialect } from './dialect.ts';
import { visionOk } from './envelope.ts';
import { requirePersonIds } from './meta.ts';
import { objectOf, personsBody, personsMeta } from './request.ts';

/** POST /api/v1/persons/delete: removes persons from the space by person_id; no photo is needed, and any sent is ignored. */
export const route = visionDialect.route(
  { summary: 'Remove persons from a space by person_id', body: personsBody },
  async ({ client, body, files }) => {
    const meta = personsMeta(body, files, 'required');
    const images = requirePersonIds(meta);
    const outcomes = await persons.delete(
      client,
      meta.space,
      images.map((image) => image.personId),
    );
    return visionOk({ objects: outcomes.map((outcome, index) => objectOf(images[index]!.name, outcome)) });
  },
);

export const handler = route.handler;
