import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonText, readJsonObject } from '../../functions/http/json-body.ts';

describe('parseJsonText', () => {
  it('parses JSON and says nothing of text that is not JSON', () => {
    assert.deepEqual(parseJsonText('{"a":[1,"b"]}'), { value: { a: [1, 'b'] } });
    assert.equal(parseJsonText('{nope'), undefined);
  });

  it('refuses a lone surrogate anywhere, naming where, never echoing a bad field name', () => {
    for (const [text, message] of [
      ['"\\ud800"', 'the body is not well-formed Unicode (it holds a lone surrogate)'],
      ['{"filename":"a/\\ud800x"}', 'filename is not well-formed Unicode (it holds a lone surrogate)'],
      ['{"Request":{"Input":{"Object":"\\udfff"}}}', 'Request.Input.Object is not well-formed Unicode (it holds a lone surrogate)'],
      ['{"parts":[{"etag":"ok"},{"etag":"\\ud83d"}]}', 'parts[1].etag is not well-formed Unicode (it holds a lone surrogate)'],
      ['{"\\udc00":"x"}', 'a field name is not well-formed Unicode (it holds a lone surrogate)'],
      ['{"a":{"\\udc00":"x"}}', 'a field name in a is not well-formed Unicode (it holds a lone surrogate)'],
    ]) {
      assert.throws(() => parseJsonText(text!), { kind: 'invalid-input', message }, text);
    }
    assert.deepEqual(parseJsonText('{"ok":"\\ud83d\\ude00"}'), { value: { ok: '\u{1f600}' } });
  });
});

describe('readJsonObject', () => {
  it('wants one JSON object', () => {
    assert.deepEqual(readJsonObject(Buffer.from('{"a":"1"}')), { a: '1' });
    assert.throws(() => readJsonObject(Buffer.from('')), { message: 'body is not valid JSON' });
    for (const text of ['[1]', 'null', '"x"'])
      assert.throws(() => readJsonObject(Buffer.from(text)), { message: 'JSON body must be an object' }, text);
  });
});
