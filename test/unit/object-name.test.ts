import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { isInsideNamespace, validateNamespace, validateObjectName } from '../../functions/core/object-name.ts';

const refuses = (name: string, kind: TesseraError['kind'], message: string, namespaces = ['photos']) =>
  assert.throws(
    () => validateObjectName(name, namespaces),
    (error: TesseraError) => {
      assert.equal(error.kind, kind);
      assert.equal(error.message, message);
      return true;
    },
  );

describe('validateObjectName', () => {
  it('accepts names inside a namespace, unchanged', () => {
    for (const name of ['photos/a.jpg', 'photos/2024/06/ảnh đẹp.png', 'photos/a..b.jpg', 'photos/.hidden', `photos/${'x'.repeat(1017)}`]) {
      assert.equal(validateObjectName(name, ['photos']), name);
    }
  });

  it('accepts a name in any of several namespaces, including nested ones', () => {
    assert.equal(validateObjectName('team/a/b.png', ['photos', 'team/a']), 'team/a/b.png');
  });

  it('refuses traversal, absolute paths, empty segments and control characters', () => {
    refuses('', 'invalid-input', 'filename is empty');
    refuses('photos/../secret', 'invalid-input', 'filename must not contain "." or ".." path segments');
    refuses('photos/./a', 'invalid-input', 'filename must not contain "." or ".." path segments');
    refuses('photos/a/..', 'invalid-input', 'filename must not contain "." or ".." path segments');
    refuses('/photos/a', 'invalid-input', 'filename must not start with "/"');
    refuses('photos//a', 'invalid-input', 'filename must not contain empty path segments ("//")');
    refuses('photos/a/', 'invalid-input', 'filename must name a file, not end with "/"');
    refuses('photos\\..\\a', 'invalid-input', 'filename must not contain "\\"');
    refuses('photos/a\nb', 'invalid-input', 'filename contains control characters');
    refuses('photos/a\u0000', 'invalid-input', 'filename contains control characters');
    refuses('photos/a\u007f', 'invalid-input', 'filename contains control characters');
    refuses('photos/a\u0085', 'invalid-input', 'filename contains control characters');
  });

  it('refuses ill-formed Unicode and invisible format characters (category Cf)', () => {
    for (const name of ['photos/\ud800x', 'photos/x\udfff', 'photos/\udc00\ud800']) {
      refuses(name, 'invalid-input', 'filename is not well-formed Unicode (it holds a lone surrogate)');
    }
    for (const name of [
      'photos/\u202egnp.exe',
      'photos/a\u200bb',
      'photos/a\u200db',
      'photos/\ufeffa',
      'photos/a\u00adb',
      'photos/\u2066x\u2069',
      'photos/\u{e0001}',
    ]) {
      refuses(name, 'invalid-input', 'filename contains invisible format characters (bidi controls, zero-width characters)');
    }
    assert.equal(validateObjectName('photos/\u{1f600}.png', ['photos']), 'photos/\u{1f600}.png');
  });

  it('counts the length limit in UTF-8 bytes', () => {
    assert.equal(validateObjectName(`photos/${'é'.repeat(508)}`, ['photos']).length, 515);
    refuses(`photos/${'é'.repeat(509)}`, 'invalid-input', 'filename is longer than 1024 bytes of UTF-8');
  });

  it('refuses names outside the namespaces as forbidden', () => {
    refuses('videos/a.mp4', 'forbidden', 'filename must begin with one of your namespaces');
    refuses('photos', 'forbidden', 'filename must begin with one of your namespaces');
    refuses('photosx/a.jpg', 'forbidden', 'filename must begin with one of your namespaces');
    refuses('photos/a.jpg', 'forbidden', 'filename must begin with one of your namespaces', []);
  });
});

describe('namespaces', () => {
  it('are folders, so a prefix of a name is not enough', () => {
    assert.equal(isInsideNamespace('photos/a', 'photos'), true);
    assert.equal(isInsideNamespace('photos2/a', 'photos'), false);
  });

  it('must be plain folder names', () => {
    for (const namespace of ['demo', 'team-a/photos', 'a.b_c']) assert.equal(validateNamespace(namespace), namespace);
    for (const namespace of ['', '/demo', 'demo/', '../x', 'a/../b', 'a//b', 'sp ace', '.hidden']) {
      assert.throws(() => validateNamespace(namespace), TesseraError, namespace);
    }
  });
});
