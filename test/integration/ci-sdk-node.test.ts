import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { before, beforeEach, describe, it } from 'node:test';
import COS from 'cos-nodejs-sdk-v5';
import { queueIdOf } from '../../functions/ci/queues.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * Tencent's own Node SDK (cos-nodejs-sdk-v5, pinned in devDependencies), called exactly as its
 * demo (demo/demo.js) calls the CI APIs, with only the endpoint (`Url`) and the credentials
 * changed. No worker runs: jobs stay Submitted, so they can be cancelled.
 */
const APP = 'tccisdknode000000001';
const SECRET = 'ci-sdk-node-secret';
const BUCKET = 'demo-1250000000';
const REGION = 'ap-local';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });

interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
}
/** Every request the API received since the last test began, with the status it answered. */
let exchanges: Exchange[] = [];

before(async () => {
  await stack.ready();
  await postForm(`${stack.current.url}/upload`, {
    secret_key: SECRET,
    filename: 'demo/test-input.jpg',
    filedata: { data: await gradientJpeg(64, 48), type: 'image/jpeg' },
  });
  stack.current.gateway.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    response.on('finish', () => exchanges.push({ method: request.method ?? '', url: request.url ?? '', status: response.statusCode }));
  });
});
beforeEach(() => {
  exchanges = [];
});

/** A client as the demo makes one, with Tessera's credentials; `clockOffsetMs` plays a machine whose clock is off. */
const sdk = (clockOffsetMs = 0) =>
  new COS({ SecretId: APP, SecretKey: SECRET, ...(clockOffsetMs ? { SystemClockOffset: clockOffsetMs } : {}) });
/** Where the demo writes `'https://' + Bucket + '.ci.' + Region + '.myqcloud.com' + path`. */
/** The SDK's live options (untyped in its index.d.ts): where it keeps its clock correction. */
const optionsOf = (cos: COS) => (cos as unknown as { options: { SystemClockOffset: number; CorrectClockSkew: boolean } }).options;
const url = (path: string) => `${stack.current.url}${path}`;
const xml = (body: object) => COS.util.json2xml(body);

interface SdkError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly error?: Record<string, string>;
  readonly headers?: Record<string, string>;
}
async function refusal(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    return error as SdkError;
  }
  assert.fail('the SDK call succeeded');
}

/** CreateMediaJobs, with a PicProcess job in place of the demo's Snapshot template. */
async function createJob(cos = sdk()): Promise<string> {
  const data = await cos.request({
    Bucket: BUCKET,
    Region: REGION,
    Method: 'POST',
    Key: 'jobs',
    Url: url('/jobs'),
    Headers: { 'content-type': 'application/xml' },
    Body: xml({
      Request: {
        Tag: 'PicProcess',
        Input: { Object: 'test-input.jpg' },
        QueueId: 'p5ad1499214024af2bfaa4401d529xxxx',
        Operation: {
          PicProcess: { IsPicInfo: 'true', ProcessRule: 'imageMogr2/thumbnail/32x' },
          Output: { Region: REGION, Bucket: BUCKET, Object: 'test-output.jpg' },
        },
      },
    }),
  });
  const detail = (data.Response as { JobsDetail: { JobId: string; State: string } }).JobsDetail;
  assert.equal(detail.State, 'Submitted');
  return detail.JobId;
}

/** DescribeMediaJob. */
async function jobState(jobId: string, cos = sdk()): Promise<string> {
  const data = await cos.request({ Bucket: BUCKET, Region: REGION, Method: 'GET', Key: `jobs/${jobId}`, Url: url(`/jobs/${jobId}`) });
  return (data.Response as { JobsDetail: { State: string } }).JobsDetail.State;
}

describe('cos-nodejs-sdk-v5, as its demo calls CI', () => {
  it('CancelMediaJob: PUT /jobs/<id> without ?cancel cancels, as PUT /jobs/<id>?cancel does', async () => {
    const jobId = await createJob();
    // The demo's CancelMediaJob exactly: no Action, no Query.
    const data = await sdk().request({ Bucket: BUCKET, Region: REGION, Method: 'PUT', Key: `jobs/${jobId}`, Url: url(`/jobs/${jobId}`) });
    assert.equal(data.statusCode, 200);
    assert.equal(await jobState(jobId), 'Cancel');
    assert.deepEqual(
      exchanges.filter((exchange) => exchange.method === 'PUT'),
      [{ method: 'PUT', url: `/jobs/${jobId}`, status: 200 }],
    );
    // And with `?cancel` (the SDK's Action), as the API documents it.
    const other = await createJob();
    await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'PUT',
      Key: `jobs/${other}`,
      Url: url(`/jobs/${other}`),
      Action: 'cancel',
    });
    assert.equal(await jobState(other), 'Cancel');
  });

  it('DescribeMediaJobs, describePicProcessQueues, updatePicProcessQueue (POST) and the template calls work unchanged', async () => {
    const jobId = await createJob();
    const listed = await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'GET',
      Key: 'jobs',
      Url: url('/jobs'),
      Query: { queueId: 'p5ad1499214024af2bfaa4401d529xxxx', tag: 'PicProcess', states: 'Submitted' },
    });
    const listedIds = [(listed.Response as { JobsDetail: unknown }).JobsDetail].flat().map((detail) => (detail as { JobId: string }).JobId);
    assert.ok(listedIds.includes(jobId), JSON.stringify(listed.Response));

    const queues = await sdk().request({
      Method: 'GET',
      Key: 'picqueue',
      Url: url('/picqueue'),
      Query: { state: 'Active', pageNumber: 1, pageSize: 10 } as unknown as Record<string, string>,
    });
    assert.equal((queues.Response as { QueueList: { QueueId: string } }).QueueList.QueueId, queueIdOf({ clientId: APP }));

    const queueId = queueIdOf({ clientId: APP });
    const updated = await sdk().request({
      Method: 'POST',
      Key: `picqueue/${queueId}`,
      Url: url(`/picqueue/${queueId}`),
      Body: xml({
        Request: {
          Name: 'My-Queue-Pic',
          State: 'Active',
          NotifyConfig: { State: 'Off', Event: 'TaskFinish', ResultFormat: 'XML', Type: 'Url' },
        },
      }),
      ContentType: 'application/xml',
    });
    assert.equal((updated.Response as { Queue: { Name: string } }).Queue.Name, 'My-Queue-Pic');

    const template = (rule: string) =>
      xml({ Request: { Tag: 'PicProcess', Name: 'node_sdk', PicProcess: { IsPicInfo: 'false', ProcessRule: rule } } });
    const created = await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'POST',
      Key: 'template',
      Url: url('/template'),
      Headers: { 'content-type': 'application/xml' },
      Body: template('imageMogr2/rotate/90'),
    });
    const templateId = (created.Response as { Template: { TemplateId: string } }).Template.TemplateId;
    const described = await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'GET',
      Key: 'template',
      Url: url('/template'),
      Headers: { 'content-type': 'application/xml' },
      Query: { tag: 'PicProcess', name: 'node' },
    });
    assert.equal((described.Response as { TemplateList: { TemplateId: string } }).TemplateList.TemplateId, templateId);
    await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'PUT',
      Key: `template/${templateId}`,
      Url: url(`/template/${templateId}`),
      Headers: { 'content-type': 'application/xml' },
      Body: template('imageMogr2/rotate/180'),
    });
    await sdk().request({
      Bucket: BUCKET,
      Region: REGION,
      Method: 'DELETE',
      Key: `template/${templateId}`,
      Url: url(`/template/${templateId}`),
      Headers: { 'content-type': 'application/xml' },
    });
    assert.ok(exchanges.every((exchange) => exchange.status === 200, JSON.stringify(exchanges)));
  });

  it("an error is COS's <Error> (Code, Message, Resource, RequestId, TraceId), refused once, not retried", async () => {
    const unknown = 't00000000000000000000000000000000';
    const error = await refusal(
      sdk().request({ Bucket: BUCKET, Region: REGION, Method: 'DELETE', Key: `template/${unknown}`, Url: url(`/template/${unknown}`) }),
    );
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'NoSuchTemplate');
    const body = error.error!;
    assert.equal(body.Code, 'NoSuchTemplate');
    assert.match(body.Message!, /does not exist/);
    assert.equal(body.Resource, `${new URL(stack.current.url).host}/template/${unknown}`);
    assert.equal(body.RequestId, error.headers!['x-ci-request-id']);
    assert.equal(error.headers!['x-cos-request-id'], body.RequestId);
    assert.ok(body.TraceId);
    assert.equal(exchanges.length, 1, JSON.stringify(exchanges));
  });
});

describe('cos-nodejs-sdk-v5 on a machine whose clock is an hour off', () => {
  for (const [label, offset] of [
    ['behind', -3_600_000],
    ['ahead', 3_600_000],
  ] as const) {
    it(`${label}: answered 403 RequestTimeTooSkewed with the server's time, the SDK corrects its clock and the retry succeeds`, async () => {
      const cos = sdk(offset);
      const jobId = await createJob(cos);
      assert.deepEqual(
        exchanges.map((exchange) => [exchange.method, exchange.url, exchange.status]),
        [
          ['POST', '/jobs', 403],
          ['POST', '/jobs', 200],
        ],
      );
      // The SDK took the server's time from the answer: its clock is now within seconds of it.
      assert.ok(Math.abs(optionsOf(cos).SystemClockOffset) < 5_000, String(optionsOf(cos).SystemClockOffset));
      assert.equal(await jobState(jobId, cos), 'Submitted');
      assert.equal(exchanges.length, 3, 'later calls are signed right the first time');
    });
  }

  it('the refusal itself carries the server time in the Date header and in <ServerTime>', async () => {
    const cos = sdk(-3_600_000);
    // CorrectClockSkew off: the SDK hands over the refusal instead of retrying.
    optionsOf(cos).CorrectClockSkew = false;
    const error = await refusal(cos.request({ Method: 'GET', Key: 'jobs', Url: url('/jobs') }));
    assert.equal(error.statusCode, 403);
    assert.equal(error.code, 'RequestTimeTooSkewed');
    const serverTime = Date.parse(error.error!.ServerTime!);
    assert.ok(Math.abs(serverTime - Date.now()) < 5_000, error.error!.ServerTime);
    assert.ok(Math.abs(Date.parse(error.headers!.date!) - Date.now()) < 5_000, error.headers!.date);
    const requestTime = Date.parse(error.error!.RequestTime!);
    assert.ok(Math.abs(requestTime - (Date.now() - 3_600_000)) < 5_000, error.error!.RequestTime);
    assert.equal(exchanges.length, 1);
  });
});
