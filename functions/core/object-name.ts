import { forbidden, invalidInput } from './errors.ts';

export const MAX_OBJECT_NAME_BYTES = 1024;

// C0 and C1 control characters and DEL: S3 accepts some of them, but they break logs, URLs and
// every client that prints a key.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/u;
// Unicode format characters (category Cf): bidi overrides make "alpha/\u202egnp.exe" read as
// "alpha/exe.png", zero-width ones make two names that look alike.
const FORMAT_CHARACTERS = /\p{Cf}/u;

/**
 * Checks a client-chosen object name (an S3 key) and that it lies inside one of the client's
 * namespaces. Returns the name unchanged: names are never rewritten, so what a client stores is
 * what it later asks for.
 */
export function validateObjectName(name: string, namespaces: readonly string[]): string {
  if (name.length === 0) throw invalidInput('filename is empty');
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES) {
    throw invalidInput(`filename is longer than ${MAX_OBJECT_NAME_BYTES} bytes of UTF-8`);
  }
  if (!name.isWellFormed()) throw invalidInput('filename is not well-formed Unicode (it holds a lone surrogate)');
  if (CONTROL_CHARACTERS.test(name)) throw invalidInput('filename contains control characters');
  if (FORMAT_CHARACTERS.test(name))
    throw invalidInput('filename contains invisible format characters (bidi controls, zero-width characters)');
  if (name.startsWith('/')) throw invalidInput('filename must not start with "/"');
  if (name.includes('\\')) throw invalidInput('filename must not contain "\\"');
  const segments = name.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    throw invalidInput('filename must not contain "." or ".." path segments');
  }
  if (segments.slice(0, -1).some((segment) => segment === '')) {
    throw invalidInput('filename must not contain empty path segments ("//")');
  }
  if (name.endsWith('/')) throw invalidInput('filename must name a file, not end with "/"');
  if (!namespaces.some((namespace) => isInsideNamespace(name, namespace))) {
    throw forbidden('filename must begin with one of your namespaces');
  }
  return name;
}

/**
 * Checks that a name leaves room for the files written under it as `{name}/{path}` (a panorama
 * set), since S3 refuses any key over MAX_OBJECT_NAME_BYTES: `longestPath` is the longest path
 * written, and `what` says what writes it.
 */
export function checkRoomUnder(name: string, longestPath: string, what: string): void {
  const room = MAX_OBJECT_NAME_BYTES - Buffer.byteLength(`/${longestPath}`, 'utf8');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > room) {
    throw invalidInput(
      `filename is ${bytes} bytes of UTF-8, too long for ${what} under it: its file {filename}/${longestPath} ` +
        `would pass S3's ${MAX_OBJECT_NAME_BYTES}-byte limit on a key; a filename of at most ${room} bytes leaves room`,
    );
  }
}

/** A namespace is a folder: `photos` owns `photos/a.jpg`, not `photos2/a.jpg`. */
export function isInsideNamespace(name: string, namespace: string): boolean {
  return name.startsWith(`${namespace}/`);
}

/** Namespaces are folder names chosen by an operator: same character rules, no slashes at the ends. */
export function validateNamespace(namespace: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(namespace)) {
    throw invalidInput(`namespace "${namespace}" must be letters, digits, ".", "_", "-" in "/"-separated folders`);
  }
  if (namespace.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw invalidInput(`namespace "${namespace}" must not contain "." or ".." segments`);
  }
  return namespace;
}
