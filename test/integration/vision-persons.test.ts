import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { accessTokens } from '../../functions/services/access-tokens.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { objectsOf, persons, type PersonsImages, type PersonsMethod } from '../support/vision.ts';

const A = { id: 'tcvisionaaaa00000001', secret: 'vision-persons-secret-a' };
const stack = useLocalStack({ demo: { clientId: A.id, secret: A.secret, namespace: 'visiona' }, worker: false });

const SAMPLE = 'node_modules/@vladmandic/face-api/demo/sample1.jpg';
/** Three different women in face-api's sample1.jpg (MIT): each crop holds one face, with context around it. */
const CROPS = [
  { left: 312, top: 254, width: 380, height: 440 },
  { left: 738, top: 319, width: 390, height: 425 },
  { left: 1376, top: 100, width: 400, height: 440 },
];

/** Copies of a photo that a real client would send of the same person. */
const TRANSFORMS: Record<string, (image: Sharp) => Sharp> = {
  mirrored: (image) => image.flop(),
  'JPEG q25': (image) => image.jpeg({ quality: 25 }),
  'half size': (image) => image.resize({ width: 190 }),
  brighter: (image) => image.modulate({ brightness: 1.4 }),
  grayscale: (image) => image.grayscale(),
  PNG: (image) => image.png(),
};

type Answer = Awaited<ReturnType<typeof persons>>;
const tagsOf = (answer: Answer) =>
  objectsOf(answer).map((object) => (object.persons as Array<{ tag: string }> | undefined)?.map((person) => person.tag));

describe('vision persons: real faces', () => {
  let token: string;
  let faces: Buffer[];
  let group: Buffer;
  let blank: Buffer;
  const call = (method: PersonsMethod, meta: unknown, images: PersonsImages = {}, as = token) =>
    persons(stack.current.url, method, as, meta, images);
  const recognize = (space: string, image: Buffer, extra: object = {}, as = token) =>
    call('recognize', { space, images: [{ name: 'photo' }], update_embedding: false, ...extra }, { photo: image }, as);

  before(async () => {
    token = await accessTokenOf(stack.current.url, A.id, A.secret);
    group = await sharp(SAMPLE).jpeg().toBuffer();
    faces = await Promise.all(CROPS.map((crop) => sharp(SAMPLE).extract(crop).jpeg({ quality: 90 }).toBuffer()));
    blank = await gradientJpeg(400, 300);
    const set = await call(
      'set',
      { space: '0', images: faces.map((_, index) => ({ name: `face${index}`, person_id: index + 1 })) },
      Object.fromEntries(faces.map((face, index) => [`face${index}`, face])),
    );
    assert.deepEqual(objectsOf(set), [
      { status: 0, name: 'face0' },
      { status: 0, name: 'face1' },
      { status: 0, name: 'face2' },
    ]);
  });

  it('recognizes each person from transformed copies of their photo, and never as another', async () => {
    let matched = 0;
    let total = 0;
    const missed: string[] = [];
    for (const [index, face] of faces.entries()) {
      for (const [name, transform] of Object.entries(TRANSFORMS)) {
        const tags = tagsOf(await recognize('0', await transform(sharp(face)).toBuffer()))[0];
        total++;
        if (tags?.length === 1 && tags[0] === `person${index + 1}`) matched++;
        else {
          missed.push(`${name} of person${index + 1}`);
          assert.ok(!tags?.some((tag) => tag !== 'undefined'), `${name} of person${index + 1} was taken for ${tags?.join()}`);
        }
      }
    }
    assert.ok(matched / total >= 0.95, `${matched} of ${total} transformed copies matched; missed: ${missed.join(', ')}`);
  });

  it('answers VK’s fields for each face: tag, coord within the image, confidence, similarity; searcher 1 adds sex, age, emotion, valence, arousal', async () => {
    const [object] = objectsOf(await recognize('0', group));
    const found = object!.persons as Array<Record<string, unknown>>;
    assert.deepEqual(found.map((person) => person.tag).sort(), ['person1', 'person2', 'person3']);
    for (const person of found) {
      const [left, top, right, bottom] = person.coord as number[];
      assert.ok(0 <= left! && left! < right! && right! <= 1920 && 0 <= top! && top! < bottom! && bottom! <= 1280, String(person.coord));
      assert.ok((person.confidence as number) > 0.5 && (person.confidence as number) <= 1);
      assert.ok((person.similarity as number) > 0.8 && (person.similarity as number) <= 1);
      assert.equal(person.sex, undefined);
    }
    const [described] = objectsOf(await recognize('0', faces[0]!, { searcher: 1 }));
    const person = (described!.persons as Array<Record<string, unknown>>)[0]!;
    assert.ok(person.sex === 'female' || person.sex === 'male');
    assert.equal(typeof person.age, 'number');
    assert.ok(['Neutral', 'Happiness', 'Sadness', 'Surprise', 'Fear', 'Disgust', 'Anger'].includes(person.emotion as string));
    for (const axis of ['valence', 'arousal']) assert.ok(Math.abs(person[axis] as number) <= 1);
  });

  it('answers an image with no face as status 0 with no persons key', async () => {
    assert.deepEqual(objectsOf(await recognize('0', blank)), [{ status: 0, name: 'photo' }]);
  });

  it('set takes exactly one face per image, and says which images it did not take', async () => {
    const answer = await call(
      'set',
      {
        space: '4',
        images: [
          { name: 'group', person_id: 9 },
          { name: 'nobody', person_id: 9 },
          { name: 'text', person_id: 9 },
          { name: 'gif', person_id: 9 },
          { name: 'one', person_id: 9 },
        ],
      },
      {
        group,
        nobody: blank,
        text: Buffer.from('not an image at all'),
        gif: await sharp(faces[0]!).gif().toBuffer(),
        one: faces[0]!,
      },
    );
    assert.deepEqual(objectsOf(answer), [
      { status: 1, error: 'face set required only one face per image', name: 'group' },
      { status: 1, error: 'face set required only one face per image', name: 'nobody' },
      { status: 1, error: 'The memory contains data of an unknown image type', name: 'text' },
      { status: 1, error: 'The memory contains data of an unknown image type', name: 'gif' },
      { status: 0, name: 'one' },
    ]);
    assert.deepEqual(tagsOf(await recognize('4', faces[0]!)), [['person9']]);
    assert.deepEqual(tagsOf(await recognize('4', faces[1]!)), [['undefined']], 'only the one-face image was stored');
  });

  it('refuses images over 3840×2160 or under 5×5 per image', async () => {
    const huge = await sharp({ create: { width: 4000, height: 2000, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    const tiny = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#777' } })
      .png()
      .toBuffer();
    const objects = objectsOf(await call('recognize', { space: '0', images: [{ name: 'huge' }, { name: 'tiny' }] }, { huge, tiny }));
    assert.deepEqual(
      objects.map((object) => object.status),
      [1, 1],
    );
    assert.match(String(objects[0]!.error), /4000×2000|4000x2000/);
    assert.match(String(objects[1]!.error), /4×4|4x4/);
  });

  it('keeps spaces apart, and clients apart', async () => {
    assert.deepEqual(tagsOf(await recognize('5', faces[0]!)), [['undefined']]);
    const { client, secret } = await clientRegistry.create({ name: 'vision b', namespaces: ['visionb'], workspaces: [] });
    const other = await accessTokenOf(stack.current.url, client.clientId, secret);
    assert.deepEqual(tagsOf(await recognize('0', faces[0]!, {}, other)), [['undefined']], "another client's space 0 is its own");
    assert.deepEqual(tagsOf(await recognize('0', faces[0]!, { create_new: true }, other)), [['person1']], 'its ids are its own too');
    assert.deepEqual(objectsOf(await call('delete', { space: '0', images: [{ name: 'x', person_id: 1 }] }, {}, other)), [
      { status: 0, name: 'x' },
    ]);
    assert.deepEqual(tagsOf(await recognize('0', faces[0]!)), [['person1']], "B's delete did not touch A's person1");
  });

  it('create_new registers unknown faces under new ids, one person however many requests race for the same face', async () => {
    const space = '6';
    const racing = await Promise.all(
      [faces[0]!, faces[1]!, faces[2]!, await sharp(faces[0]!).flop().jpeg().toBuffer()].map((face) =>
        recognize(space, face, { create_new: true }),
      ),
    );
    const tags = racing.map((answer) => tagsOf(answer)[0]![0]!);
    assert.equal(new Set(tags.slice(0, 3)).size, 3, `three people, three ids: ${tags}`);
    assert.equal(tags[3], tags[0], 'the mirrored copy of the first face is the same new person');
    assert.deepEqual(tagsOf(await recognize(space, faces[1]!)), [[tags[1]]]);
  });

  it('delete removes a person by id alone; truncate empties the space', async () => {
    const space = '7';
    await call(
      'set',
      {
        space,
        images: [
          { name: 'a', person_id: 11 },
          { name: 'b', person_id: 12 },
        ],
      },
      { a: faces[0]!, b: faces[1]! },
    );
    assert.deepEqual(objectsOf(await call('delete', { space, images: [{ name: 'gone', person_id: 11 }] })), [{ status: 0, name: 'gone' }]);
    assert.deepEqual(tagsOf(await recognize(space, faces[0]!)), [['undefined']]);
    assert.deepEqual(tagsOf(await recognize(space, faces[1]!)), [['person12']]);
    assert.equal((await call('truncate', { space })).status, 200);
    assert.deepEqual(tagsOf(await recognize(space, faces[1]!)), [['undefined']]);
  });

  it('serves VK’s Python tutorial as it is sent: set with an unnamed image, recognize with no images in meta, each answered for file_0', async () => {
    const space = '2';
    const set = await call('set', { space, images: [{ person_id: 1 }] }, { file_0: faces[2]! });
    assert.deepEqual(objectsOf(set), [{ status: 0, name: 'file_0' }]);
    const recognized = objectsOf(await call('recognize', { space, create_new: false }, { file_0: group }));
    assert.equal(recognized.length, 1);
    assert.equal(recognized[0]!.name, 'file_0');
    assert.deepEqual((recognized[0]!.persons as Array<{ tag: string }>).map((person) => person.tag).sort(), [
      'person1',
      'undefined',
      'undefined',
    ]);
  });

  it('stores nothing from a request refused as a whole, though some of its images were good', async () => {
    const space = '3';
    const refusals: Array<[unknown, PersonsImages, string]> = [
      [
        {
          space,
          images: [
            { name: 'good', person_id: 1 },
            { name: 'missing', person_id: 2 },
          ],
        },
        { good: faces[0]! },
        'could not get image by name missing: http: no such file',
      ],
      [
        {
          space,
          images: [
            { name: 'good', person_id: 1 },
            { name: 'empty', person_id: 2 },
          ],
        },
        { good: faces[0]!, empty: Buffer.alloc(0) },
        'empty image',
      ],
      [{ space, images: [{ name: 'good', person_id: 1 }, { name: 'good' }] }, { good: faces[0]! }, 'no person_id has been provided'],
      [
        { space: '12', images: [{ name: 'good', person_id: 1 }] },
        { good: faces[0]! },
        'wrong space param : space 12 is out of range: a client has spaces 0 to 9',
      ],
    ];
    for (const [meta, images, message] of refusals) {
      const answer = await call('set', meta, images);
      assert.deepEqual([answer.status, answer.body], [400, message]);
    }
    const created = await call('recognize', { space, images: [{ name: 'good' }], create_new: true }, { good: faces[1]! }, token);
    assert.deepEqual(tagsOf(created), [['person1']], 'no face was stored, and no person id was taken, by the refused requests');
    assert.deepEqual(tagsOf(await recognize(space, faces[0]!)), [['undefined']]);
  });

  it('refuses an expired token, changing nothing', async () => {
    const client = (await clientRegistry.get(A.id))!;
    const { accessToken: expired } = await accessTokens.issue(client, Date.now() - 2 * 60 * 60 * 1000);
    const answer = await call('set', { space: '8', images: [{ name: 'a', person_id: 1 }] }, { a: faces[0]! }, expired);
    assert.deepEqual([answer.status, answer.body], [401, 'access token has expired']);
    assert.deepEqual(tagsOf(await recognize('8', faces[0]!)), [['undefined']]);
  });
});
