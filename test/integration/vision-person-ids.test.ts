import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { faceSpaces } from '../../functions/adapters/face-spaces.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { objectsOf, persons, type PersonsImages, type PersonsMethod } from '../support/vision.ts';

/**
 * Person ids are stored as 32-bit (1 to 4294967295): a review found that `set` took any safe
 * integer, answering 5e9 with the store's own field name, and that one `set` of 4294967295 made
 * every later `create_new` in the space a request-level 400.
 */
const A = { id: 'tcvisionfixes0000001', secret: 'vision-fixes-secret-a' };
const stack = useLocalStack({ demo: { clientId: A.id, secret: A.secret, namespace: 'visionfixes' }, worker: false });

const LAST_ID = 4294967295;
const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
/** Two different women in face-api's sample1.jpg (MIT), one face a crop (as vision-persons.test.ts crops them). */
const CROPS = [
  { left: 312, top: 254, width: 380, height: 440 },
  { left: 738, top: 319, width: 390, height: 425 },
];

describe('vision person ids: 1 to 4294967295', () => {
  let token: string;
  let faces: Buffer[];
  const call = (method: PersonsMethod, meta: unknown, images: PersonsImages = {}) =>
    persons(stack.current.url, method, token, meta, images);

  before(async () => {
    await stack.ready();
    token = await accessTokenOf(stack.current.url, A.id, A.secret);
    faces = await Promise.all(CROPS.map((crop) => sharp(SAMPLE).extract(crop).jpeg({ quality: 90 }).toBuffer()));
  });

  for (const method of ['set', 'delete'] as const) {
    it(`${method} refuses a person_id past 4294967295 at the edge, naming person_id, and stores nothing`, async () => {
      const answer = await call(method, { space: '3', images: [{ name: 'photo', person_id: 5e9 }] }, { photo: faces[0]! });
      assert.equal(answer.status, 400, JSON.stringify(answer.raw));
      assert.equal(answer.body, 'person_id must be a positive integer up to 4294967295, not 5000000000');
      assert.equal((await faceSpaces.read(A.id, '3')).version, 0, 'the space was never written');
    });
  }

  it('after a set of 4294967295, create_new answers a clear per-image error, and matching goes on', async () => {
    const set = await call('set', { space: '1', images: [{ name: 'photo', person_id: LAST_ID }] }, { photo: faces[0]! });
    assert.deepEqual(objectsOf(set), [{ status: 0, name: 'photo' }]);
    assert.equal((await faceSpaces.read(A.id, '1')).nextPersonId, LAST_ID + 1, 'no id is left past the last');

    const stranger = await call('recognize', { space: '1', images: [{ name: 'photo' }], create_new: true }, { photo: faces[1]! });
    const [object] = objectsOf(stranger);
    assert.equal(object!.status, 1, JSON.stringify(object));
    assert.match(object!.error as string, /^space 1 has no person ids left/);
    assert.equal(object!.persons, undefined);

    const known = await call('recognize', { space: '1', images: [{ name: 'photo' }], update_embedding: false }, { photo: faces[0]! });
    const tags = (objectsOf(known)[0]!.persons as Array<{ tag: string }>).map((person) => person.tag);
    assert.deepEqual(tags, [`person${LAST_ID}`]);
    assert.equal((await faceSpaces.read(A.id, '1')).faceCount, 1, 'the refused create_new stored nothing');
  });
});
