import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiDocumentText, buildApiDocument } from '../../functions/platform/api-document/document.ts';
import { openApiPath } from '../../functions/platform/api-document/operation.ts';
import { ROUTES, routeKey, type Dialect } from '../../functions/routes.ts';
import { API_DOCUMENT } from '../../scripts/build-openapi.ts';

type Json = Record<string, unknown>;
type Operation = {
  security: Json[];
  requestBody?: { content: Record<string, { schema: Json }> };
  parameters?: { name: string; in: string; required?: boolean }[];
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };

const committed = readFileSync(API_DOCUMENT, 'utf8');
const document = JSON.parse(committed) as Document;
const operation = (method: string, path: string) => document.paths[path]![method]!;

/** Every `$ref` in the document, wherever it is. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner)));
}

describe('the OpenAPI document (docs/openapi.json)', () => {
  it('is what the generator makes of the routes now', async () => {
    assert.ok(committed === (await apiDocumentText()), 'docs/openapi.json is stale: run `npm run build:openapi` and commit the result');
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Json);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  it('has every $ref point at something in it', () => {
    for (const ref of new Set(refsIn(document))) {
      assert.match(ref, /^#\//, ref);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Json | undefined)?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], document);
      assert.ok(target, `${ref} points at nothing`);
    }
  });

  it('lists exactly the routes in functions/routes.ts', () => {
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(listed.sort(), ROUTES.map((route) => routeKey({ method: route.method, path: openApiPath(route.path) })).sort());
  });

  it('gives each dialect its credentials, and the public routes none', () => {
    assert.deepEqual(operation('get', '/health').security, []);
    assert.deepEqual(operation('get', '/openapi.json').security, []);
    assert.deepEqual(operation('post', '/upload').security, [{ storageSecretKey: [] }]);
    assert.deepEqual(operation('post', '/file/mpupload/init').security, [{ xfyunSignature: [] }]);
    assert.deepEqual(operation('get', '/jobs').security, [{ cosSignature: [] }, { cosPresigned: [] }]);
  });

  it("describes each kind of body: form fields (and file parts), JSON, and ci's <Request> in XML or JSON", () => {
    assert.deepEqual(Object.keys(operation('post', '/upload').requestBody!.content), [
      'multipart/form-data',
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    assert.deepEqual(document.components.schemas.StorageUploadFields!.required, ['filename', 'secret_key']);
    // A route that needs a file part takes only multipart.
    assert.deepEqual(Object.keys(operation('post', '/file/upload').requestBody!.content), ['multipart/form-data']);
    assert.match(
      JSON.stringify(operation('post', '/file/upload').requestBody),
      /"data":\{"type":"string","contentMediaType":"application\/octet-stream"/,
    );
    assert.deepEqual(Object.keys(operation('post', '/file/mpupload/complete').requestBody!.content), ['application/json']);
    assert.deepEqual(Object.keys(operation('post', '/jobs').requestBody!.content), ['application/xml', 'application/json']);
    assert.deepEqual(document.components.schemas.CiCreateJobRequest!.xml, { name: 'Request' });
    // A GET's form fields are query parameters, the credential among them.
    assert.deepEqual(operation('get', '/get_file_info').parameters, [
      { name: 'secret_key', in: 'query', required: true, schema: { type: 'string', description: "The client's secret." } },
      { name: 'filename', in: 'query', required: true, schema: { type: 'string', minLength: 1 } },
    ]);
    assert.equal(operation('get', '/get_file_info').requestBody, undefined);
    assert.deepEqual(operation('get', '/jobs/{ids}').parameters, [{ name: 'ids', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it("refuses a route whose module is another dialect's, and a dialect it cannot describe", async () => {
    await assert.rejects(
      buildApiDocument([{ method: 'GET', path: '/x', dialect: 'ci', group: 'ci', handler: 'platform/health.ts' }]),
      /platform route; functions\/routes.ts says ci/,
    );
    await assert.rejects(
      // Every dialect routes.ts names is described today; one added there but not to dialects.ts is refused.
      buildApiDocument([{ method: 'GET', path: '/x', dialect: 'objects' as Dialect, group: 'objects', handler: 'platform/health.ts' }]),
      /dialect objects has no entry/,
    );
  });
});
