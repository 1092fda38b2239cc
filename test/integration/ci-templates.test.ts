import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { templateStore } from '../../functions/adapters/template-store.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { useLocalStack } from '../support/local-stack.ts';

const APP = 'tctemplates000000001';
const SECRET = 'templates-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: { concurrency: 1, idleMs: 20 } });
const ci = () => new CiClient(stack.current.url, APP, SECRET);
const templateXml = (name: string, rule: string, info = true) =>
  `<Request><Tag>PicProcess</Tag><Name>${name}</Name><PicProcess><IsPicInfo>${info}</IsPicInfo><ProcessRule>${rule}</ProcessRule></PicProcess></Request>`;

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 600, 400);
});

async function create(name: string, rule: string): Promise<string> {
  const answer = await ci().request('POST', '/template', { body: templateXml(name, rule) });
  assert.equal(answer.status, 200, answer.body);
  return tag(answer.body, 'TemplateId')!;
}

describe('ci PicProcess templates', () => {
  it('creates, describes, updates and deletes a template', async () => {
    const answer = await ci().request('POST', '/template', { body: templateXml('rotate_90', 'imageMogr2/rotate/90') });
    assert.equal(answer.status, 200, answer.body);
    assert.match(
      answer.body,
      /<Response><RequestId>[^<]+<\/RequestId><Template><Tag>PicProcess<\/Tag><TemplateId>t[0-9a-f]{32}<\/TemplateId><Name>rotate_90<\/Name><BucketId>demo-1250000000<\/BucketId><Category>Custom<\/Category><PicProcess><IsPicInfo>true<\/IsPicInfo><ProcessRule>imageMogr2\/rotate\/90<\/ProcessRule><\/PicProcess><CreateTime>/,
    );
    const id = tag(answer.body, 'TemplateId')!;

    const listed = await ci().request('GET', '/template', { query: { tag: 'PicProcess', ids: id } });
    assert.equal(tag(listed.body, 'TotalCount'), '1');
    assert.equal(tag(listed.body, 'TemplateId'), id);

    const updated = await ci().request('PUT', `/template/${id}`, { body: templateXml('rotate_180', 'imageMogr2/rotate/180', false) });
    assert.equal(updated.status, 200, updated.body);
    assert.equal(tag(updated.body, 'Name'), 'rotate_180');
    assert.equal(tag(updated.body, 'ProcessRule'), 'imageMogr2/rotate/180');

    const deleted = await ci().request('DELETE', `/template/${id}`);
    assert.equal(deleted.status, 200);
    assert.equal(tag(deleted.body, 'TemplateId'), id);
    assert.equal(await templateStore.get(APP, id), undefined);
  });

  it("runs a job by TemplateId, with the template's rule and name in its detail", async () => {
    const id = await create('thumb_100', 'imageMogr2/thumbnail/100x');
    const body = jobXml({}).replace(/<PicProcess>.*<\/PicProcess>/, `<TemplateId>${id}</TemplateId>`);
    const submitted = await ci().request('POST', '/jobs', { body });
    assert.equal(submitted.status, 200, submitted.body);
    assert.match(submitted.body, new RegExp(`<TemplateId>${id}</TemplateId><TemplateName>thumb_100</TemplateName>`));
    const jobId = tag(submitted.body, 'JobId')!;
    let detail = '';
    for (let tries = 0; tries < 100 && !/<State>(Success|Failed)/.test(detail); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      detail = (await ci().request('GET', `/jobs/${jobId}`)).body;
    }
    assert.equal(tag(detail, 'State'), 'Success', detail);
    assert.match(detail, /<ProcessResult>.*<Width>100<\/Width>/);
  });

  it('pages and filters by name prefix', async () => {
    for (const name of ['page_a', 'page_b', 'page_c']) await create(name, 'imageMogr2/strip');
    const first = await ci().request('GET', '/template', { query: { name: 'page_', pageSize: '2', pageNumber: '1' } });
    assert.equal(tag(first.body, 'TotalCount'), '3');
    assert.equal([...first.body.matchAll(/<TemplateList>/g)].length, 2);
    const second = await ci().request('GET', '/template', { query: { name: 'page_', pageSize: '2', pageNumber: '2' } });
    assert.equal([...second.body.matchAll(/<TemplateList>/g)].length, 1);
    const official = await ci().request('GET', '/template', { query: { category: 'Official' } });
    assert.equal(tag(official.body, 'TotalCount'), '0');
  });

  it('refuses bad templates and unknown or foreign ids, changing nothing', async () => {
    const before = (await templateStore.list(APP)).length;
    const refused = async (answer: { status: number; body: string }, status: number, code: string, message: RegExp) => {
      assert.equal(answer.status, status, answer.body);
      assert.equal(tag(answer.body, 'Code'), code);
      assert.match(tag(answer.body, 'Message')!, message);
    };
    await refused(
      await ci().request('POST', '/template', { body: templateXml('bad', 'imageMogr2/rotate/999') }),
      400,
      'InvalidArgument',
      /rotate must be from 0 to 360/,
    );
    await refused(
      await ci().request('POST', '/template', { body: templateXml('has space', 'imageMogr2/strip') }),
      400,
      'InvalidArgument',
      /Name must be 1-64/,
    );
    await refused(
      await ci().request('POST', '/template', { body: templateXml('x'.repeat(65), 'imageMogr2/strip') }),
      400,
      'InvalidArgument',
      /Name must be 1-64/,
    );
    await refused(
      await ci().request('POST', '/template', {
        body: templateXml('ok', 'imageMogr2/strip').replace('PicProcess</Tag>', 'Watermark</Tag>'),
      }),
      400,
      'InvalidArgument',
      /Tag Watermark is not supported/,
    );
    await refused(
      await ci().request('PUT', '/template/t00000000000000000000000000000000', { body: templateXml('ok', 'imageMogr2/strip') }),
      404,
      'NoSuchTemplate',
      /does not exist/,
    );
    await refused(await ci().request('DELETE', '/template/nonsense'), 404, 'NoSuchTemplate', /does not exist/);
    await refused(
      await ci().request('POST', '/jobs', {
        body: jobXml({}).replace(/<PicProcess>.*<\/PicProcess>/, '<TemplateId>t00000000000000000000000000000000</TemplateId>'),
      }),
      404,
      'NoSuchTemplate',
      /does not exist/,
    );
    const mine = await create('mine', 'imageMogr2/strip');
    const other = await clientRegistry.create({
      name: 'other',
      namespaces: ['other'],
      cosBuckets: [{ bucket: 'other-1', region: 'ap-local', namespace: 'other' }],
    });
    const thief = new CiClient(stack.current.url, other.client.clientId, other.secret);
    await refused(await thief.request('DELETE', `/template/${mine}`), 404, 'NoSuchTemplate', /does not exist/);
    assert.equal(tag((await thief.request('GET', '/template', { query: { ids: mine } })).body, 'TotalCount'), '0');
    assert.equal((await templateStore.list(APP)).length, before + 1);
  });
});
