import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { CiClient, jobXml, tag } from '../support/ci.ts';
import { postForm, registerClient, useLocalStack } from '../support/local-stack.ts';
import { solidPng } from '../support/images.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

const A = { id: 'tcprocessorsa0000001', secret: 'processors-secret-a', namespace: 'pa', bucket: 'pa-1250000000' };
const B = { id: 'tcprocessorsb0000001', secret: 'processors-secret-b', namespace: 'pb', bucket: 'pb-1250000000' };
const REGION = 'ap-local';

const stack = useLocalStack({
  demo: { clientId: A.id, secret: A.secret, namespace: A.namespace, cosBucket: A.bucket, cosRegion: REGION },
  worker: { concurrency: 2, visibilitySeconds: 5, idleMs: 20 },
});
const ci = () => new CiClient(stack.current.url, A.id, A.secret);
const b64 = (text: string) => Buffer.from(text).toString('base64url');
const job = (rule: string, output: string) => jobXml({ input: 'in/photo.jpg', rule, output, bucket: A.bucket, region: REGION });

async function upload(secret: string, filename: string, data: Buffer, type: string): Promise<void> {
  const answer = await postForm(`${stack.current.url}/upload`, { secret_key: secret, filename, filedata: { data, type } });
  assert.equal(answer.status, 200);
}

async function finished(jobId: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await ci().request('GET', `/jobs/${jobId}`);
    if (/<State>(Success|Failed)<\/State>/.test(answer.body)) return answer.body;
    if (Date.now() > deadline) assert.fail(`job ${jobId} did not finish: ${answer.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function run(rule: string, output: string): Promise<string> {
  const answer = await ci().request('POST', '/jobs', { body: job(rule, output) });
  assert.equal(answer.status, 200, answer.body);
  const done = await finished(tag(answer.body, 'JobId')!);
  assert.equal(tag(done, 'State'), 'Success', done);
  return done;
}

before(async () => {
  await stack.ready();
  await registerClient(B, REGION);
  await upload(A.secret, `${A.namespace}/in/photo.jpg`, await gradientJpeg(400, 300, 80), 'image/jpeg');
  await upload(A.secret, `${A.namespace}/marks/logo.png`, solidPng(40, 20, [0, 0, 255]), 'image/png');
  await upload(B.secret, `${B.namespace}/marks/logo.png`, solidPng(40, 20, [0, 255, 0]), 'image/png');
});

describe('ci jobs through imageView2, watermark and imageInfo', () => {
  it("runs Tencent's example: a thumbnail piped into a text watermark", async () => {
    const done = await run(
      'imageMogr2/thumbnail/!50p|watermark/2/text/5pWw5o2u5LiH6LGh/fill/I0ZGRkZGRg==/fontsize/30/dx/20/dy/20',
      'out/marked.jpg',
    );
    assert.match(done, /<Format>JPEG<\/Format><Height>150<\/Height>/);
    const output = await sharp(await objectStore.read(`${A.namespace}/out/marked.jpg`)).metadata();
    assert.deepEqual([output.width, output.height], [200, 150]);
  });

  it('marks with an image of the same client, named by its COS URL or its object name, and imageView2 sizes', async () => {
    const url = `http://${A.bucket}.cos.${REGION}.myqcloud.com/marks/logo.png`;
    await run(`imageView2/1/w/100/h/100/format/png|watermark/1/image/${b64(url)}/gravity/northwest/dissolve/100`, 'out/url.png');
    const { data, info } = await sharp(await objectStore.read(`${A.namespace}/out/url.png`))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [100, 100]);
    assert.deepEqual([...data.subarray(0, 3)], [0, 0, 255]);
    await run(`watermark/1/image/${b64('marks/logo.png')}`, 'out/name.jpg');
  });

  it("refuses another client's object exactly as it refuses a bucket that does not exist", async () => {
    const answers = await Promise.all(
      [B.bucket, 'nobody-1259999999'].map(async (bucket) => {
        const url = `http://${bucket}.cos.${REGION}.myqcloud.com/marks/logo.png`;
        const answer = await ci().request('POST', '/jobs', { body: job(`watermark/1/image/${b64(url)}`, 'out/stolen.jpg') });
        return { status: answer.status, code: tag(answer.body, 'Code'), message: tag(answer.body, 'Message')!.replace(url, '<url>') };
      }),
    );
    assert.deepEqual(answers[0], answers[1]);
    assert.deepEqual(answers[0], {
      status: 403,
      code: 'AccessDenied',
      message: 'watermark image "<url>" is not in one of this client\'s buckets',
    });
    assert.equal(await objectStore.head(`${A.namespace}/out/stolen.jpg`), undefined);
  });

  it('refuses a watermark image of its own that does not exist, and one named by any other URL', async () => {
    const missing = await ci().request('POST', '/jobs', { body: job(`watermark/1/image/${b64('marks/none.png')}`, 'out/x.jpg') });
    assert.equal(missing.status, 400);
    assert.equal(tag(missing.body, 'Code'), 'InvalidArgument');
    assert.equal(tag(missing.body, 'Message'), 'watermark image "marks/none.png" does not exist');
    const cdn = await ci().request('POST', '/jobs', {
      body: job(`watermark/1/image/${b64(`http://${A.bucket}.file.myqcloud.com/marks/logo.png`)}`, 'out/x.jpg'),
    });
    assert.equal(cdn.status, 400);
    assert.match(tag(cdn.body, 'Message')!, /is not an object Tessera can read/);
  });

  it('writes imageInfo as the output object: JSON, described in ProcessResult', async () => {
    const done = await run('imageView2/2/w/200|imageInfo', 'out/info.json');
    const stored = await objectStore.head(`${A.namespace}/out/info.json`);
    assert.equal(stored?.contentType, 'application/json');
    const info = JSON.parse((await objectStore.read(`${A.namespace}/out/info.json`)).toString('utf8')) as Record<string, string>;
    assert.deepEqual([info.format, info.width, info.height, info.frame_count], ['jpeg', '200', '150', '1']);
    assert.match(done, /<ProcessResult><Etag>[0-9a-f]+<\/Etag><Format>JSON<\/Format><Height>150<\/Height>/);
  });
});
