import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { queueIdOf } from '../../functions/ci/queues.ts';
import { CosServiceError, PythonCosClient, PythonKeyError, type XmlDict } from '../support/cos-python.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * Tencent's cos-python-sdk-v5 1.9.41 as a user points it at Tessera, changing only the endpoint
 * (`Domain='127.0.0.1:<port>'`, `Scheme='http'`) and the credentials, through a client that sends
 * exactly what the SDK sends (test/support/cos-python.ts). One test per way the SDK differs from
 * what Tessera first expected. No worker runs: jobs stay Submitted.
 */
const APP = 'tccisdkpython0000001';
const SECRET = 'ci-sdk-python-secret';
const BUCKET = 'demo-1250000000';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'demo' }, worker: false });
/** `CosConfig(…, Scheme='http', Domain='127.0.0.1:<port>')`. */
const byDomain = (clockOffsetSeconds = 0) =>
  new PythonCosClient({ secretId: APP, secretKey: SECRET, domain: new URL(stack.current.url).host, scheme: 'http', clockOffsetSeconds });
/**
 * `CosConfig(Region='ap-local', …, Scheme='http', IP='127.0.0.1', Port=<port>)`: Host is then the
 * bucket's COS host, signed as sent. The tests of the other differences use it, so that each fails
 * (before its fix) for its own difference, not for the port the Domain form leaves out.
 */
const sdk = (clockOffsetSeconds = 0) =>
  new PythonCosClient({
    secretId: APP,
    secretKey: SECRET,
    ip: '127.0.0.1',
    port: Number(new URL(stack.current.url).port),
    region: 'ap-local',
    bucket: BUCKET,
    scheme: 'http',
    clockOffsetSeconds,
  });

before(async () => {
  await stack.ready();
  await postForm(`${stack.current.url}/upload`, {
    secret_key: SECRET,
    filename: 'demo/1.png',
    filedata: { data: await gradientJpeg(64, 48), type: 'image/jpeg' },
  });
});

/** The body of demo/ci_media.py's ci_create_media_pic_jobs. */
const picJob = (object = 'pic-process-result.png'): XmlDict => ({
  Input: { Object: '1.png' },
  Tag: 'PicProcess',
  Operation: {
    PicProcess: { IsPicInfo: 'true', ProcessRule: 'imageMogr2/rotate/90' },
    Output: { Bucket: BUCKET, Region: 'ap-local', Object: object },
  },
});

type Detail = Record<string, unknown> & { JobId: string; State: string };
const details = (answer: Record<string, unknown>) => answer.JobsDetail as Detail[];

async function refusal(call: Promise<unknown>): Promise<CosServiceError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof CosServiceError, String(error));
    return error;
  }
  assert.fail('the SDK call succeeded');
}

describe('cos-python-sdk-v5 1.9.41, pointed at Tessera', () => {
  it('Domain form: signs the host without its port while sending Host with it, and is accepted', async () => {
    const client = byDomain();
    await client.ciGetMediaJobs('j00000000000000000000000000000000', { contentType: 'application/xml' });
    await client.ciGetMediaPicQueue();
    const sent = client.sent[1];
    const host = new URL(stack.current.url).host;
    assert.deepEqual(sent!.headers[0], ['Host', host]);
    assert.match(host, /^127\.0\.0\.1:\d+$/);
    assert.match(
      sent!.headers.find(([name]) => name === 'Authorization')![1],
      /&q-header-list=host&q-url-param-list=pagenumber;pagesize;queueids;state&/,
    );
    assert.equal(sent!.status, 200);
  });

  it('ci_create_media_pic_jobs (POST /pic_jobs) submits a job as POST /jobs does', async () => {
    const client = sdk();
    const created = details(await client.ciCreateMediaPicJobs(picJob(), { contentType: 'application/xml' }));
    assert.equal(created.length, 1);
    assert.equal(created[0]!.State, 'Submitted');
    assert.equal(created[0]!.Tag, 'PicProcess');
    assert.deepEqual(created[0]!.Input, { BucketId: BUCKET, Object: '1.png', Region: 'ap-local' });
    assert.equal(client.sent[0]!.target, '/pic_jobs');
    // The same job as the current path shows it.
    const [described] = details(await client.ciGetMediaJobs(created[0]!.JobId, { contentType: 'application/xml' }));
    assert.equal(described!.JobId, created[0]!.JobId);
    // And refused as POST /jobs refuses.
    const bad = await refusal(client.ciCreateMediaPicJobs({ ...picJob(), Tag: 'Transcode' }, { contentType: 'application/xml' }));
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.getErrorCode(), 'InvalidArgument');
  });

  it('what the SDK escapes (> as &gt;, & as &amp;) arrives as the user wrote it and comes back so', async () => {
    const client = sdk();
    const job = picJob('escaped.png');
    const operation = job.Operation as XmlDict;
    const request = {
      ...job,
      Operation: { ...operation, PicProcess: { ProcessRule: 'imageMogr2/thumbnail/200x300>' }, UserData: 'a&b <c> "d" \'e\'' },
    };
    const [created] = details(await client.ciCreateMediaJobs(request, { contentType: 'application/xml' }));
    assert.match(client.sent[0]!.body, /thumbnail\/200x300&gt;<\/ProcessRule>.*<UserData>a&amp;b &lt;c&gt;/s);
    const [described] = details(await client.ciGetMediaJobs(created!.JobId, { contentType: 'application/xml' }));
    const shown = described!.Operation as { PicProcess: { ProcessRule: string }; UserData: string };
    assert.equal(shown.PicProcess.ProcessRule, 'imageMogr2/thumbnail/200x300>');
    assert.equal(shown.UserData, 'a&b <c> "d" \'e\'');
  });

  it('several ids in one path: signed as /jobs/a,b but sent as /jobs/a%2Cb (ci_get_media_jobs), and accepted', async () => {
    const client = sdk();
    const [job] = details(await client.ciCreateMediaJobs(picJob('two-ids.png'), { contentType: 'application/xml' }));
    const answer = await client.ciGetMediaJobs(`${job!.JobId},j00000000000000000000000000000000`, { contentType: 'application/xml' });
    assert.equal(client.sent[1]!.target, `/jobs/${job!.JobId}%2Cj00000000000000000000000000000000`);
    assert.equal(details(answer)[0]!.JobId, job!.JobId);
    assert.equal(answer.NonExistJobIds, 'j00000000000000000000000000000000');
  });

  it('ci_get_media_pic_jobs (GET /pic_jobs/<ids>) answers what GET /jobs/<ids> answers', async () => {
    const client = sdk();
    const [job] = details(await client.ciCreateMediaPicJobs(picJob('described.png'), { contentType: 'application/xml' }));
    const legacy = await client.ciGetMediaPicJobs(`${job!.JobId},j00000000000000000000000000000000`, { contentType: 'application/xml' });
    const current = await client.ciGetMediaJobs(`${job!.JobId},j00000000000000000000000000000000`, { contentType: 'application/xml' });
    assert.deepEqual(legacy, current);
    assert.equal(client.sent[1]!.target, `/pic_jobs/${job!.JobId}%2Cj00000000000000000000000000000000`);
    assert.equal(details(legacy)[0]!.JobId, job!.JobId);
    assert.equal(legacy.NonExistJobIds, 'j00000000000000000000000000000000');
  });

  it('ci_list_media_pic_jobs (GET /pic_jobs?tag=PicProcess&orderByTime=Desc&states=All&size=10&nextToken=) lists them', async () => {
    const client = sdk();
    const [job] = details(await client.ciCreateMediaPicJobs(picJob('listed.png'), { contentType: 'application/xml' }));
    const all = details(await client.ciListMediaPicJobs('PicProcess', { contentType: 'application/xml' }));
    assert.equal(all[0]!.JobId, job!.JobId, 'newest first');
    assert.equal(client.sent[1]!.target, '/pic_jobs?tag=PicProcess&orderByTime=Desc&states=All&size=10&nextToken=');
    // A queue id copied from Tencent's console does not empty the list; the other filters apply.
    const named = details(await client.ciListMediaPicJobs('PicProcess', { queueId: 'peb83bdxxxxxxxxxxxxxxxxa21c7d68', size: 100 }));
    assert.ok(named.some((detail) => detail.JobId === job!.JobId));
    const success = await client.ciListMediaPicJobs('PicProcess', {
      states: 'Success',
      startCreationTime: '2022-05-30T23:30:00+0800',
      contentType: 'application/xml',
    });
    assert.equal(success.JobsDetail, undefined);
  });

  it('ci_get_media_pic_queue with its defaults (state=All, empty queueIds, pageNumber, pageSize) shows the queue', async () => {
    const client = sdk();
    const answer = await client.ciGetMediaPicQueue();
    assert.equal(client.sent[0]!.target, '/picqueue?queueIds=&state=All&pageNumber=&pageSize=');
    assert.equal(answer.TotalCount, '1');
    assert.equal(answer.PageNumber, '1');
    assert.equal(answer.PageSize, '10');
    const queues = answer.QueueList as Array<{ QueueId: string; State: string }>;
    assert.deepEqual(
      queues.map((queue) => [queue.QueueId, queue.State]),
      [[queueIdOf({ clientId: APP }), 'Active']],
    );
    assert.equal((await client.ciGetMediaPicQueue({ state: 'Active' })).TotalCount, '1');
    assert.equal((await client.ciGetMediaPicQueue({ state: 'Paused' })).TotalCount, '0');
    assert.equal((await client.ciGetMediaPicQueue({ queueIds: queueIdOf({ clientId: APP }) })).TotalCount, '1');
    const elsewhere = await client.ciGetMediaPicQueue({ queueIds: 'peb83bdxxxxxxxxxxxxxxxxa21c7d68' });
    assert.equal(elsewhere.TotalCount, '0');
    assert.equal(elsewhere.NonExistPIDs, 'peb83bdxxxxxxxxxxxxxxxxa21c7d68');
    assert.equal((await refusal(client.ciGetMediaPicQueue({ state: 'Sleeping' }))).getErrorCode(), 'InvalidArgument');
  });

  it('ci_update_media_pic_queue (PUT /picqueue/<id>, with the demo body and its QueueID element) and ci_cancel_jobs work', async () => {
    const client = sdk();
    const queueId = queueIdOf({ clientId: APP });
    const updated = await client.ciUpdateMediaPicQueue(
      queueId,
      {
        Name: 'media-pic-queue',
        QueueID: queueId,
        State: 'Active',
        NotifyConfig: { Type: 'Url', Event: 'TaskFinish', State: 'Off', ResultFormat: 'JSON' },
      },
      { contentType: 'application/xml' },
    );
    assert.equal((updated.Queue as Array<{ Name: string }>)[0]!.Name, 'media-pic-queue');
    const [job] = details(await client.ciCreateMediaJobs(picJob('cancelled.png'), { contentType: 'application/xml' }));
    assert.equal(await client.ciCancelJobs(job!.JobId, { contentType: 'application/xml' }), '');
    assert.equal(details(await client.ciGetMediaJobs(job!.JobId))[0]!.State, 'Cancel');
  });

  it("reads every error as COS's: get_error_code, get_error_msg, get_resource_location, get_request_id, get_trace_id", async () => {
    const client = sdk();
    const error = await refusal(client.ciUpdateMediaPicQueue('peb83bdxxxxxxxxxxxxxxxxa21c7d68', { Name: 'q', State: 'Active' }));
    assert.equal(error.statusCode, 404);
    assert.equal(error.getErrorCode(), 'NoSuchQueue');
    assert.equal(error.getErrorMsg(), 'queue peb83bdxxxxxxxxxxxxxxxxa21c7d68 does not exist');
    // The host asked for (the SDK's Host: the bucket's COS host) and the path, as COS names a resource.
    assert.equal(error.getResourceLocation(), `${BUCKET}.cos.ap-local.myqcloud.com/picqueue/peb83bdxxxxxxxxxxxxxxxxa21c7d68`);
    assert.match(error.getRequestId(), /^[0-9a-f-]{36}$/);
    assert.notEqual(error.getTraceId(), 'Unknown');
    // A wrong secret too: the signature check answers in the same envelope.
    const forged = await refusal(new PythonCosClient({ ...sdk().config, secretKey: 'wrong' }).ciGetMediaPicQueue());
    assert.equal(forged.getErrorCode(), 'SignatureDoesNotMatch');
    assert.notEqual(forged.getResourceLocation(), 'Unknown');
  });

  it('a clock outside the window is answered RequestTimeTooSkewed with the server time (this SDK does not correct its clock)', async () => {
    // It signs from now−60 s to now+10000 s: an hour slow is still inside; an hour fast, or three slow, is not.
    await sdk(-3600).ciGetMediaPicQueue();
    for (const offset of [3600, -3 * 3600]) {
      const client = sdk(offset);
      const error = await refusal(client.ciGetMediaPicQueue());
      assert.equal(error.statusCode, 403);
      assert.equal(error.getErrorCode(), 'RequestTimeTooSkewed');
      const serverTime = /<ServerTime>([^<]+)<\/ServerTime>/.exec(error.origin)?.[1];
      assert.ok(serverTime && Math.abs(Date.parse(serverTime) - Date.now()) < 5_000, error.origin);
      assert.equal(client.sent.length, 1, 'a 4xx is not retried');
    }
  });

  it('the client reads answers as the SDK does: a JSON 404 without code is its KeyError', () => {
    const notCos = new CosServiceError('POST', '{"message":"Not Found"}', 404);
    assert.throws(() => notCos.getErrorCode(), PythonKeyError);
    const noResource = new CosServiceError('GET', '<Error><Code>NoSuchJob</Code><Message>m</Message><RequestId>r</RequestId></Error>', 404);
    assert.equal(noResource.getErrorCode(), 'Unknown');
  });
});
