import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { callbackKey } from '../../functions/core/callback-signature.ts';
import { CiClient, jobXml, tag, uploadInputPhoto } from '../support/ci.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';

const APP = 'tccijobs000000000001';
const SECRET = 'ci-jobs-secret';
const stack = useLocalStack({
  demo: { clientId: APP, secret: SECRET, namespace: 'demo' },
  worker: { concurrency: 2, visibilitySeconds: 5, idleMs: 20 },
});
const ci = () => new CiClient(stack.current.url, APP, SECRET);

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
let failuresLeft = 0;

before(async () => {
  await stack.ready();
  await uploadInputPhoto(stack.current.url, SECRET, 1000, 800, 75);
  await postForm(`${stack.current.url}/upload`, {
    secret_key: SECRET,
    filename: 'demo/in/not-an-image.jpg',
    filedata: { data: 'this is text', type: 'image/jpeg' },
  });
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/never') return void response.writeHead(500).end('down');
      if (failuresLeft > 0) {
        failuresLeft--;
        return void response.writeHead(503).end('busy');
      }
      received.push({ headers: request.headers, body });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.TESSERA_CALLBACK_BASE_DELAY_SECONDS = '0';
  process.env.TESSERA_CALLBACK_MAX_ATTEMPTS = '3';
});
after(() => {
  receiver.closeAllConnections();
  receiver.close();
});
afterEach(() => {
  received.length = 0;
  failuresLeft = 0;
});

async function submit(fields: Parameters<typeof jobXml>[0]): Promise<string> {
  const answer = await ci().request('POST', '/jobs', { body: jobXml(fields) });
  assert.equal(answer.status, 200, answer.body);
  return tag(answer.body, 'JobId')!;
}

async function waitFor(jobId: string, done: (xml: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await ci().request('GET', `/jobs/${jobId}`);
    if (done(answer.body)) return answer.body;
    if (Date.now() > deadline) assert.fail(`job ${jobId} did not get there: ${answer.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const finished = (xml: string) => /<State>(Success|Failed)<\/State>/.test(xml);
const callbackSettled = (xml: string) => finished(xml) && /<CallBackResult><Status>(delivered|failed)<\/Status>/.test(xml);

describe('ci PicProcess jobs', () => {
  it('answers Submitted in the XML of the reference, then runs the rule and reports the result', async () => {
    const answer = await ci().request('POST', '/jobs', { body: jobXml({ isPicInfo: true, userData: 'my data', level: 1 }) });
    assert.equal(answer.status, 200);
    assert.equal(answer.contentType, 'application/xml');
    assert.match(
      answer.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><JobsDetail><Code>Success<\/Code><Message\/><JobId>j[0-9a-f]{32}<\/JobId><Tag>PicProcess<\/Tag><State>Submitted<\/State>/,
    );
    assert.match(answer.body, /<StartTime>-<\/StartTime>/);
    assert.match(
      answer.body,
      /<Input><BucketId>demo-1250000000<\/BucketId><Object>in\/photo.jpg<\/Object><Region>ap-local<\/Region><\/Input>/,
    );
    const done = await waitFor(tag(answer.body, 'JobId')!, finished);
    assert.equal(tag(done, 'State'), 'Success');
    assert.match(
      done,
      /<ProcessResult><Etag>[0-9a-f]+<\/Etag><Format>JPEG<\/Format><Height>205<\/Height><Quality>75<\/Quality><Size>\d+<\/Size><Width>256<\/Width><\/ProcessResult>/,
    );
    assert.match(
      done,
      /<OriginalInfo><Etag>&quot;[0-9a-f]+&quot;<\/Etag><ImageInfo><Ave>0x[0-9a-f]{6}<\/Ave><Format>JPEG<\/Format><Height>800<\/Height><Orientation>0<\/Orientation><Quality>75<\/Quality><Width>1000<\/Width><\/ImageInfo><\/OriginalInfo>/,
    );
    assert.match(done, /<UserData>my data<\/UserData><JobLevel>1<\/JobLevel>/);
    const output = await sharp(await objectStore.read('demo/out/thumb.jpg')).metadata();
    assert.deepEqual([output.width, output.height], [256, 205]);
  });

  it('takes and answers JSON too', async () => {
    const body = JSON.stringify({
      Request: {
        Tag: 'PicProcess',
        Input: { Object: 'in/photo.jpg' },
        Operation: {
          PicProcess: { IsPicInfo: 'false', ProcessRule: 'imageMogr2/thumbnail/!10p/format/png' },
          Output: { Region: 'ap-local', Bucket: 'demo-1250000000', Object: 'out/small.png' },
        },
      },
    });
    const answer = await ci().request('POST', '/jobs', { body, contentType: 'application/json' });
    assert.equal(answer.status, 200, answer.body);
    const parsed = JSON.parse(answer.body) as { Response: { JobsDetail: { State: string; JobId: string } } };
    assert.equal(parsed.Response.JobsDetail.State, 'Submitted');
    assert.equal(tag(await waitFor(parsed.Response.JobsDetail.JobId, finished), 'State'), 'Success');
  });

  it('accepts a rule whose output is just within the limit, and produces the size predicted at submit', async () => {
    const done = await waitFor(await submit({ rule: 'imageMogr2/thumbnail/9999x115!/rotate/1', output: 'out/edge.jpg' }), finished);
    assert.equal(tag(done, 'State'), 'Success', done);
    const output = await sharp(await objectStore.read('demo/out/edge.jpg')).metadata();
    assert.deepEqual([output.width, output.height], [9999, 289]);
  });

  it('ends Failed with a reason when the input is not an image', async () => {
    const done = await waitFor(await submit({ input: 'in/not-an-image.jpg' }), finished);
    assert.equal(tag(done, 'State'), 'Failed');
    assert.equal(tag(done, 'Code'), 'InvalidImage');
    assert.match(tag(done, 'Message') ?? '', /could not be processed as an image/);
  });

  it('POSTs a signed JSON callback with every value a string', async () => {
    const jobId = await submit({ callBack: `${receiverUrl}/hook`, format: 'JSON', userData: 'cb' });
    await waitFor(jobId, callbackSettled);
    assert.equal(received.length, 1);
    const [delivery] = received;
    const timestamp = String(delivery!.headers['x-tessera-timestamp']);
    const expected = `v1=${createHmac('sha256', callbackKey(SECRET)).update(`${timestamp}.${delivery!.body}`).digest('hex')}`;
    assert.equal(delivery!.headers['x-tessera-signature'], expected);
    assert.equal(delivery!.headers['content-type'], 'application/json');
    const payload = JSON.parse(delivery!.body) as {
      EventName: string;
      JobsDetail: Record<string, unknown> & { Operation: { JobLevel: unknown; PicProcessResult: { ProcessResult: { Width: unknown } } } };
    };
    assert.equal(payload.EventName, 'TaskFinish');
    assert.equal(payload.JobsDetail.JobId, jobId);
    assert.equal(payload.JobsDetail.State, 'Success');
    assert.equal(payload.JobsDetail.Operation.JobLevel, '0');
    assert.equal(payload.JobsDetail.Operation.PicProcessResult.ProcessResult.Width, '256');
    assert.equal('Message' in payload.JobsDetail, false, 'empty values are left out');
    const detail = await ci().request('GET', `/jobs/${jobId}`);
    assert.match(detail.body, /<CallBackResult><Status>delivered<\/Status><Attempts>1<\/Attempts>/);
  });

  it('POSTs the XML form by default', async () => {
    const jobId = await submit({ callBack: `${receiverUrl}/hook` });
    await waitFor(jobId, callbackSettled);
    assert.equal(received.length, 1);
    assert.equal(received[0]!.headers['content-type'], 'application/xml');
    assert.match(
      received[0]!.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><EventName>TaskFinish<\/EventName><JobsDetail><Code>Success<\/Code>/,
    );
  });

  it('retries a receiver that fails, until it recovers, and records the attempts', async () => {
    failuresLeft = 2;
    const jobId = await submit({ callBack: `${receiverUrl}/hook`, format: 'JSON' });
    const done = await waitFor(jobId, callbackSettled);
    assert.match(done, /<CallBackResult><Status>delivered<\/Status><Attempts>3<\/Attempts>/);
    assert.equal(received.length, 1);
  });

  it('records a callback as failed when the receiver never recovers', async () => {
    const jobId = await submit({ callBack: `${receiverUrl}/never`, format: 'JSON' });
    const done = await waitFor(jobId, callbackSettled);
    assert.match(
      done,
      /<CallBackResult><Status>failed<\/Status><Attempts>3<\/Attempts><LastError>the receiver answered HTTP 500<\/LastError><\/CallBackResult>/,
    );
  });

  it('does not redo a finished job, or fire its callback again, when its message comes twice', async () => {
    const jobId = await submit({ callBack: `${receiverUrl}/hook`, format: 'JSON' });
    await waitFor(jobId, callbackSettled);
    const before = await taskStore.require({ clientId: APP, taskId: jobId });
    const { queues } = await import('../../functions/adapters/queues.ts');
    await queues.send('jobsLevel0', { clientId: APP, taskId: jobId });
    await queues.send('callbacks', { clientId: APP, taskId: jobId });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const afterwards = await taskStore.require({ clientId: APP, taskId: jobId });
    assert.equal(afterwards.version, before.version);
    assert.deepEqual(afterwards.result, before.result);
    assert.equal(received.length, 1);
  });

  it('lists jobs newest first, filtered by state, a page at a time', async () => {
    const first = await ci().request('GET', '/jobs', { query: { tag: 'PicProcess', size: '2', states: 'Success,Failed' } });
    assert.equal(first.status, 200, first.body);
    const ids = [...first.body.matchAll(/<JobId>([^<]+)<\/JobId>/g)].map((match) => match[1]);
    assert.equal(ids.length, 2);
    assert.ok(ids[0]! > ids[1]!, 'newest first');
    const token = tag(first.body, 'NextToken');
    assert.ok(token);
    const second = await ci().request('GET', '/jobs', { query: { size: '2', states: 'Success,Failed', nextToken: token! } });
    const more = [...second.body.matchAll(/<JobId>([^<]+)<\/JobId>/g)].map((match) => match[1]);
    assert.ok(more.every((id) => !ids.includes(id)));
    const failedOnly = await ci().request('GET', '/jobs', { query: { states: 'Failed', size: '100' } });
    assert.ok([...failedOnly.body.matchAll(/<State>([^<]+)<\/State>/g)].every((match) => match[1] === 'Failed'));
  });
});

describe('ci refuses bad requests in its <Error> form and creates nothing', () => {
  const jobCount = async () => (await taskStore.listByClient(APP, { limit: 1000 })).tasks.length;
  const refused = async (answer: { status: number; body: string }, status: number, code: string, message?: RegExp) => {
    assert.equal(answer.status, status, answer.body);
    assert.equal(tag(answer.body, 'Code'), code, answer.body);
    assert.ok(tag(answer.body, 'RequestId'));
    if (message) assert.match(tag(answer.body, 'Message') ?? '', message);
  };

  it('bad signatures: missing, forged, expired (outside the clock window), unknown SecretId', async () => {
    const count = await jobCount();
    const body = jobXml({});
    await refused(await ci().request('POST', '/jobs', { body, authorization: null }), 401, 'MissingAuthorization');
    await refused(await new CiClient(stack.current.url, APP, 'wrong').request('POST', '/jobs', { body }), 403, 'SignatureDoesNotMatch');
    const past = Math.floor(Date.now() / 1000) - 3600;
    await refused(
      await ci().request('POST', '/jobs', {
        body,
        authorization: ci().authorization('POST', '/jobs', {}, { start: past - 60, end: past }),
      }),
      403,
      'RequestTimeTooSkewed',
    );
    // An unknown SecretId reads as a wrong signature: no answer tells which client ids exist.
    await refused(
      await new CiClient(stack.current.url, 'tcnobody', SECRET).request('POST', '/jobs', { body }),
      403,
      'SignatureDoesNotMatch',
    );
    assert.equal(await jobCount(), count);
  });

  it('XML bombs, DTDs and malformed XML', async () => {
    const count = await jobCount();
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Request><Tag>&lol2;</Tag></Request>';
    await refused(
      await ci().request('POST', '/jobs', { body: bomb }),
      400,
      'InvalidContent',
      /DTDs and entity declarations are not accepted/,
    );
    const external = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Request><Tag>&x;</Tag></Request>';
    await refused(await ci().request('POST', '/jobs', { body: external }), 400, 'InvalidContent');
    await refused(await ci().request('POST', '/jobs', { body: '<Request><Tag>PicProcess</Tag>' }), 400, 'MalformedXML');
    await refused(await ci().request('POST', '/jobs', { body: '' }), 400, 'MissingContent');
    assert.equal(await jobCount(), count);
  });

  it('invalid fields, each named', async () => {
    const count = await jobCount();
    const cases: Array<[string, number, string, RegExp]> = [
      [jobXml({}).replace('PicProcess</Tag>', 'Transcode</Tag>'), 400, 'InvalidArgument', /Tag Transcode is not supported/],
      [jobXml({ rule: 'imageMogr2/thumbnail/abc' }), 400, 'InvalidArgument', /invalid imageMogr2 rule: thumbnail "abc" is not one of/],
      [jobXml({ rule: 'imageSlim' }), 400, 'InvalidArgument', /uses processor "imageSlim"/],
      [jobXml({ userData: 'x'.repeat(1025) }), 400, 'InvalidArgument', /UserData must be printable ASCII, at most 1024 characters/],
      [jobXml({ userData: 'tab\there' }), 400, 'InvalidArgument', /UserData must be printable ASCII/],
      [jobXml({ level: 3 }), 400, 'InvalidArgument', /JobLevel must be 0, 1 or 2/],
      [
        jobXml({ callBack: 'http://10.0.0.1/hook' }),
        400,
        'InvalidArgument',
        /CallBack host 10.0.0.1 resolves to a private or reserved address/,
      ],
      [jobXml({ callBack: 'ftp://example.com/x' }), 400, 'InvalidArgument', /CallBack must be an http or https URL/],
      [jobXml({ callBack: 'http://example.com/x', format: 'YAML' }), 400, 'InvalidArgument', /CallBackFormat must be JSON or XML/],
      [jobXml({ extra: '<CallBackType>TDMQ</CallBackType>' }), 400, 'InvalidArgument', /CallBackType TDMQ is not supported/],
      [jobXml({ bucket: 'someone-else-1250000001' }), 403, 'AccessDenied', /not one of this client's buckets/],
      [jobXml({ region: 'ap-guangzhou' }), 400, 'InvalidArgument', /is in region ap-local, not ap-guangzhou/],
      [jobXml({ input: 'in/missing.jpg' }), 400, 'ResourceNotFound', /input object in\/missing.jpg does not exist/],
      [jobXml({ input: '../other/photo.jpg' }), 400, 'InvalidArgument', /must not contain "." or ".." path segments/],
      [jobXml({ output: '' }), 400, 'InvalidArgument', /Output needs Region, Bucket and Object/],
    ];
    for (const [body, status, code, message] of cases) await refused(await ci().request('POST', '/jobs', { body }), status, code, message);
    await refused(
      await ci().request('GET', '/jobs', { query: { size: '101' } }),
      400,
      'InvalidArgument',
      /size must be a whole number from 1 to 100/,
    );
    await refused(await ci().request('GET', '/jobs', { query: { states: 'Done' } }), 400, 'InvalidArgument', /states: Done is not one of/);
    await refused(
      await ci().request('GET', '/jobs', { query: { nextToken: 'garbage' } }),
      400,
      'InvalidArgument',
      /nextToken is not one this API issued/,
    );
    assert.equal(await jobCount(), count);
  });

  it("a rule whose output the input's header already shows to be over the limit", async () => {
    const count = await jobCount();
    const listed = async () =>
      [...(await ci().request('GET', '/jobs', { query: { size: '100' } })).body.matchAll(/<JobId>([^<]+)<\/JobId>/g)].map(
        (match) => match[1],
      );
    const before = await listed();
    // photo.jpg is 1000x800: 9999x9999, turned 45°, needs a 14141x14141 canvas.
    await refused(
      await ci().request('POST', '/jobs', { body: jobXml({ rule: 'imageMogr2/thumbnail/9999x9999!/rotate/45' }) }),
      400,
      'InvalidArgument',
      /^the result would be 14141x14141, over the 9999 px per side limit$/,
    );
    // 9999x116 turned 1° needs 10000 columns (9999.502 rounded); 9999x115 needs 9999 and runs (ci PicProcess jobs, above).
    await refused(
      await ci().request('POST', '/jobs', { body: jobXml({ rule: 'imageMogr2/thumbnail/9999x116!/rotate/1' }) }),
      400,
      'InvalidArgument',
      /the result would be 10000x290, over the 9999 px per side limit/,
    );
    await refused(
      await ci().request('POST', '/jobs', { body: jobXml({ rule: 'imageMogr2/thumbnail/200x|imageMogr2/cut/100x100x300x10' }) }),
      400,
      'InvalidArgument',
      /cut 100x100 at 300,10 falls outside the 200x160 image/,
    );
    assert.equal(await jobCount(), count);
    assert.deepEqual(await listed(), before);
  });

  it('keeps clients apart: another client neither sees, lists nor cancels a job', async () => {
    const jobId = await submit({});
    const other = await clientRegistry.create({
      name: 'other',
      namespaces: ['other'],
      cosBuckets: [{ bucket: 'other-1250000001', region: 'ap-local', namespace: 'other' }],
    });
    const thief = new CiClient(stack.current.url, other.client.clientId, other.secret);
    const described = await thief.request('GET', `/jobs/${jobId}`);
    assert.equal(described.status, 200);
    assert.equal(tag(described.body, 'NonExistJobIds'), jobId);
    assert.doesNotMatch(described.body, /<JobsDetail>/);
    assert.doesNotMatch((await thief.request('GET', '/jobs', { query: { size: '100' } })).body, new RegExp(jobId));
    await refused(await thief.request('PUT', `/jobs/${jobId}`, { query: { cancel: '' } }), 404, 'NoSuchJob');
    await refused(await thief.request('POST', '/jobs', { body: jobXml({ bucket: 'demo-1250000000' }) }), 403, 'AccessDenied');
  });
});
