import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { before, describe, it } from 'node:test';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { queueIdOf } from '../../functions/ci/queues.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { useLocalStack } from '../support/local-stack.ts';

/** The ci dialect's wire: bodies it must refuse cleanly, and answers that must stay well-formed XML. */
const APP = 'tcciwire000000000001';
const SECRET = 'ci-wire-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
const ci = () => new CiClient(stack.current.url, APP, SECRET);
const jobCount = async () => (await taskStore.listByClient(APP, { limit: 100 })).tasks.length;
let templateId = '';

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 64, 48);
  const created = await ci().request('POST', '/template', {
    body: '<Request><Tag>PicProcess</Tag><Name>kept</Name><PicProcess><IsPicInfo>false</IsPicInfo><ProcessRule>imageMogr2/thumbnail/10x</ProcessRule></PicProcess></Request>',
  });
  templateId = tag(created.body, 'TemplateId')!;
});

function assertWellFormed(xml: string): void {
  assert.equal(XMLValidator.validate(xml), true, xml);
  // eslint-disable-next-line no-control-regex -- what XML 1.0 cannot carry
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
}

function assertError(answer: { status: number; body: string }, status: number, code: string, message: string | RegExp): void {
  assert.equal(answer.status, status, answer.body);
  assertWellFormed(answer.body);
  assert.equal(tag(answer.body, 'Code'), code, answer.body);
  const text = tag(answer.body, 'Message') ?? '';
  if (typeof message === 'string') assert.equal(text, message);
  else assert.match(text, message);
}

describe('XML the parser refuses is MalformedXML, on every XML route', () => {
  const deep = `<Request>${'<a>'.repeat(120)}x${'</a>'.repeat(120)}</Request>`;
  const routes = () =>
    [
      ['POST', '/jobs'],
      ['POST', '/template'],
      ['PUT', `/template/${templateId}`],
      ['PUT', `/picqueue/${queueIdOf({ clientId: APP })}`],
    ] as const;

  it('nesting deeper than 100 levels', async () => {
    for (const [method, path] of routes())
      assertError(await ci().request(method, path, { body: deep }), 400, 'MalformedXML', /^the body is not acceptable XML: .*nested/i);
    assert.equal(await jobCount(), 0);
  });

  it('elements named __proto__, constructor or prototype', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype']) {
      for (const [method, path] of routes()) {
        assertError(
          await ci().request(method, path, { body: `<Request><${name}><x>1</x></${name}></Request>` }),
          400,
          'MalformedXML',
          new RegExp(`^the body is not acceptable XML: .*${name}`),
        );
      }
    }
    assert.equal(await jobCount(), 0);
  });

  it('a raw NUL inside ProcessRule: XML 1.0 cannot hold it', async () => {
    assertError(
      await ci().request('POST', '/jobs', { body: jobXml({ rule: 'imageMogr2/thumbnail/\u0000100x' }) }),
      400,
      'MalformedXML',
      'the body is not well-formed XML: it holds U+0000, which XML 1.0 does not allow',
    );
    assert.equal(await jobCount(), 0);
  });
});

describe('values that cannot hold control characters or ill-formed Unicode', () => {
  const json = (request: Record<string, unknown>) => JSON.stringify({ Request: request });
  const jobJson = (rule: string, input = 'in/photo.jpg') => ({
    Tag: 'PicProcess',
    Input: { Object: input },
    Operation: {
      PicProcess: { IsPicInfo: 'false', ProcessRule: rule },
      Output: { Region: 'ap-local', Bucket: 'demo-1250000000', Object: 'out/x.jpg' },
    },
  });

  it('a control character in a JSON ProcessRule, raw or %-encoded', async () => {
    const raw = await ci().request('POST', '/jobs', {
      body: json(jobJson('imageMogr2/thumbnail/\u0000100x')),
      contentType: 'application/json',
    });
    assert.equal(raw.status, 400, raw.body);
    assert.equal(
      (JSON.parse(raw.body) as { Error: { Message: string } }).Error.Message,
      'invalid imageMogr2 rule: a rule contains no control characters',
    );
    assertError(
      await ci().request('POST', '/jobs', { body: jobXml({ rule: 'imageMogr2/thumbnail/%00' }) }),
      400,
      'InvalidArgument',
      'invalid imageMogr2 rule: thumbnail value "%00" decodes to control characters',
    );
    assert.equal(await jobCount(), 0);
  });

  it('a lone surrogate in Input.Object', async () => {
    const body = json(jobJson('imageMogr2/thumbnail/10x')).replace('in/photo.jpg', 'in/\\ud800x.jpg');
    const answer = await ci().request('POST', '/jobs', { body, contentType: 'application/json' });
    assert.equal(answer.status, 400, answer.body);
    assert.deepEqual(JSON.parse(answer.body).Error.Code, 'InvalidArgument');
    assert.equal(JSON.parse(answer.body).Error.Message, 'Request.Input.Object is not well-formed Unicode (it holds a lone surrogate)');
    assert.equal(await jobCount(), 0);
  });
});

describe('answers stay well-formed XML whatever the request held', () => {
  it('a NUL in a job id on the path', async () => {
    const answer = await ci().request('GET', '/jobs/%00');
    assert.equal(answer.status, 200);
    assertWellFormed(answer.body);
    assert.equal(tag(answer.body, 'NonExistJobIds'), '\ufffd');
  });
});

describe('ids that cannot exist are refused without a lookup', () => {
  it('a 2,049-byte SecretId is an unknown SecretId (a signature that does not match), not a server error', async () => {
    const other = new CiClient(stack.current.url, 'x'.repeat(2049), 'whatever');
    assertError(await other.request('GET', '/jobs'), 403, 'SignatureDoesNotMatch', 'the signature does not match');
  });
});

describe('paths whose %-escapes do not decode', () => {
  it('answer 400 Bad Request before any handler, signed or not', async () => {
    for (const [method, path] of [
      ['DELETE', '/template/%ZZ'],
      ['GET', '/jobs/%E0%A4%A'],
      ['PUT', '/jobs/%ED%A0%80'],
    ] as const) {
      const response = await fetch(`${stack.current.url}${path}`, { method });
      assert.equal(response.status, 400, `${method} ${path}`);
      assert.deepEqual(await response.json(), { message: 'Bad Request' });
    }
  });
});
