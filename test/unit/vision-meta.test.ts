import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { affectOf } from '../../functions/core/faces/affect.ts';
import { filesOf, flagOf, readMeta, requirePersonIds } from '../../functions/vision/meta.ts';

const held = (bytes: number) => ({ kind: 'held' as const, filename: 'f', contentType: 'image/jpeg', data: Buffer.alloc(bytes, 1) });

describe('vision meta, read as VK’s Go server reads it', () => {
  it('parses space as strconv.Atoi does, then keeps it within 0-9', () => {
    assert.equal(readMeta('{"space":"7"}', 'none').space, '7');
    assert.equal(readMeta('{"space":"+07"}', 'none').space, '7', 'Atoi takes a sign and leading zeros: the same space');
    assert.equal(readMeta('{"space":3}', 'none').space, '3');
    assert.throws(() => readMeta('{"space":" 1"}', 'none'), /strconv.Atoi: parsing " 1": invalid syntax/);
    assert.throws(() => readMeta('{"space":1.5}', 'none'), /parsing "": invalid syntax/);
    assert.throws(() => readMeta('{"space":"10"}', 'none'), /space 10 is out of range/);
  });

  it('names unnamed images file_<index> and checks person ids', () => {
    const meta = readMeta('{"space":"0","images":[{"person_id":4},{"name":"x","person_id":5}]}', 'required');
    assert.deepEqual(meta.images, [
      { name: 'file_0', personId: 4 },
      { name: 'x', personId: 5 },
    ]);
    assert.deepEqual(
      requirePersonIds(meta).map((image) => image.personId),
      [4, 5],
    );
    assert.throws(
      () => requirePersonIds(readMeta('{"space":"0","images":[{"name":"a","person_id":0}]}', 'required')),
      /no person_id has been provided/,
    );
    assert.throws(
      () => readMeta('{"space":"0","images":[{"name":"a","person_id":"1"}]}', 'required'),
      /person_id must be a positive integer/,
    );
    assert.throws(
      () => readMeta('{"space":"0","images":[{"name":"a","person_id":-2}]}', 'required'),
      /person_id must be a positive integer/,
    );
  });

  it('takes the image parts sent, in order, for a meta without images (VK’s Python tutorial sends none)', () => {
    const names = (meta: ReturnType<typeof readMeta>) => meta.images.map((image) => image.name);
    assert.deepEqual(names(readMeta('{"space":"1","create_new":false}', 'required', ['file_0', 'file_1'])), ['file_0', 'file_1']);
    assert.deepEqual(names(readMeta('{"space":"1","images":[{"name":"b"}]}', 'required', ['a', 'b'])), ['b'], 'images listed win');
    assert.throws(() => readMeta('{"space":"1"}', 'required', []), /meta.images must be a non-empty array/);
  });

  it('needs images where the method does, at most 100', () => {
    assert.throws(() => readMeta('{"space":"0"}', 'required'), /meta.images must be a non-empty array/);
    assert.throws(() => readMeta('{"space":"0","images":[]}', 'required'), /non-empty/);
    const images = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ name: `f${i}` })));
    assert.equal(readMeta(`{"space":"0","images":${images}}`, 'required').images.length, 100);
  });

  it('reads flags as JSON booleans only', () => {
    const meta = readMeta('{"space":"0","images":[{"name":"a"}],"create_new":true,"update_embedding":"no"}', 'required');
    assert.equal(flagOf(meta, 'create_new', false), true);
    assert.equal(flagOf(meta, 'absent', true), true);
    assert.throws(() => flagOf(meta, 'update_embedding', true), /meta.update_embedding must be true or false/);
  });

  it('finds each image’s file part, refuses empty ones and more than 30 MiB in all, counting a part named twice once', () => {
    const meta = readMeta('{"space":"0","images":[{"name":"a"},{"name":"a"},{"name":"b"}]}', 'required');
    const big = held(15 * 1024 * 1024);
    assert.equal(filesOf(meta, { a: big, b: big }).length, 3);
    assert.throws(() => filesOf(meta, { a: big, b: held(0) }), /^TesseraError: empty image$/);
    assert.throws(() => filesOf(meta, { a: big }), /could not get image by name b: http: no such file/);
    const three = readMeta('{"space":"0","images":[{"name":"a"},{"name":"b"},{"name":"c"}]}', 'required');
    assert.throws(() => filesOf(three, { a: big, b: held(15 * 1024 * 1024), c: held(1) }), /at most 31457280/);
  });
});

describe('affect from face-api’s expressions', () => {
  const none = { neutral: 0, happy: 0, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 };

  it('names the likeliest expression in VK’s words', () => {
    assert.equal(affectOf({ ...none, happy: 0.9, neutral: 0.1 }).emotion, 'Happiness');
    assert.equal(affectOf({ ...none, fearful: 0.6, surprised: 0.4 }).emotion, 'Fear');
    assert.equal(affectOf(none).emotion, 'Neutral');
  });

  it('places valence and arousal as the expected point on the circumplex, within [-1, 1]', () => {
    assert.deepEqual(affectOf({ ...none, neutral: 1 }), { emotion: 'Neutral', valence: 0, arousal: 0 });
    const happy = affectOf({ ...none, happy: 1 });
    assert.ok(happy.valence > 0.5 && happy.arousal > 0);
    const sad = affectOf({ ...none, sad: 1 });
    assert.ok(sad.valence < -0.5 && sad.arousal < 0);
    const mixed = affectOf({ ...none, happy: 0.5, sad: 0.5 });
    assert.equal(mixed.valence, 0.05);
  });
});
