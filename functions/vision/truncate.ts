import { persons } from '../services/persons.ts';
import { visionDialect } from './dialect.ts';
import { visionOk } from './envelope.ts';
import { personsBody, personsMeta } from './request.ts';

/** POST /api/v1/persons/truncate: clears the space. */
export const route = visionDialect.route(
  { summary: 'Remove every person from a space', body: personsBody },
  async ({ client, body, files }) => {
    const meta = personsMeta(body, files, 'none');
    await persons.truncate(client, meta.space);
    return visionOk({});
  },
);

export const handler = route.handler;
