import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError, type ErrorKind } from '../../functions/core/errors.ts';
import { storageError, storageOk } from '../../functions/storage/envelope.ts';
import * as z from 'zod/mini';
import { overwriteField, overwriteFlag, requiredText } from '../../functions/storage/fields.ts';

const body = (result: { body?: string }) => JSON.parse(result.body ?? '');

describe('storage envelope', () => {
  it('wraps success as {message, msg_code: 1} with HTTP 200', () => {
    const result = storageOk('OK');
    assert.equal(result.statusCode, 200);
    assert.deepEqual(body(result), { message: 'OK', msg_code: 1 });
    assert.deepEqual(body(storageOk({ state: 'running' }, 0)), { message: { state: 'running' }, msg_code: 0 });
  });

  it('maps each error kind to its status, always with msg_code 0', () => {
    const expected: Record<ErrorKind, number> = {
      'invalid-input': 400,
      unauthenticated: 401,
      forbidden: 403,
      'not-found': 400,
      conflict: 400,
      'too-large': 400,
      upstream: 400,
      internal: 500,
    };
    for (const [kind, status] of Object.entries(expected)) {
      const result = storageError(new TesseraError(kind as ErrorKind, `a ${kind} problem`));
      assert.equal(result.statusCode, status, kind);
      assert.deepEqual(body(result), { message: kind === 'internal' ? 'internal error' : `a ${kind} problem`, msg_code: 0 });
    }
  });

  it('never shows the text of an unexpected error', () => {
    const result = storageError(new Error('connect ECONNREFUSED 10.0.0.7:443 table=secret-name'));
    assert.equal(result.statusCode, 500);
    assert.deepEqual(body(result), { message: 'internal error', msg_code: 0 });
  });
});

/** A field schema applied as the dialect kit applies it: the first problem's message is the error. */
function read<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  return parsed.data;
}
const overwriteOf = (fields: Record<string, string>) => overwriteFlag(read(z.object({ overwrite: overwriteField }), fields).overwrite);
const requiredField = (fields: Record<string, string>, name: string) => read(z.object({ [name]: requiredText(name) }), fields)[name];

describe('storage fields', () => {
  it('reads overwrite as 0 or 1 only', () => {
    assert.equal(overwriteOf({}), false);
    assert.equal(overwriteOf({ overwrite: '' }), false);
    assert.equal(overwriteOf({ overwrite: '0' }), false);
    assert.equal(overwriteOf({ overwrite: '1' }), true);
    for (const overwrite of ['2', 'true', ' 1', '01', '-1']) assert.throws(() => overwriteOf({ overwrite }), /overwrite must be 0 or 1/);
  });

  it('requires non-empty fields', () => {
    assert.equal(requiredField({ a: 'x' }, 'a'), 'x');
    assert.throws(() => requiredField({ a: '' }, 'a'), /a is required/);
    assert.throws(() => requiredField({}, 'a'), /a is required/);
  });
});
