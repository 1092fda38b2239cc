import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FileStorage } from './constructs/file-storage.ts';
import { HttpRoutes } from './constructs/http-routes.ts';
import { JobQueues } from './constructs/job-queues.ts';
import { Pipeline } from './constructs/pipeline.ts';
import { PublicFiles } from './constructs/public-files.ts';
import { ScheduledJobs } from './constructs/scheduled-jobs.ts';
import { SecretSealingKey } from './constructs/secret-sealing-key.ts';
import { SharpLayer } from './constructs/sharp-layer.ts';
import { StateTables } from './constructs/state-tables.ts';

/** Tessera: one bucket, its state tables, the HTTP API of every dialect, the sharp layer, and CloudFront for public sets. */
export class TesseraStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const storage = new FileStorage(this, 'Storage');
    const tables = new StateTables(this, 'Tables');
    const sealingKey = new SecretSealingKey(this, 'SecretSealing');
    const sharp = new SharpLayer(this, 'Sharp');
    const queues = new JobQueues(this, 'Queues');
    const publicFiles = new PublicFiles(this, 'PublicFiles', storage);
    const resources = { storage, tables, sealingKey, queues, publicBaseUrl: publicFiles.baseUrl };
    const api = new HttpRoutes(this, 'Api', resources);
    new ScheduledJobs(this, 'Jobs', resources);
    new Pipeline(this, 'Pipeline', { ...resources, sharpLayer: sharp.layer });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of every dialect' });
    new CfnOutput(this, 'BucketName', { value: storage.bucket.bucketName });
    new CfnOutput(this, 'PublicFilesUrl', {
      value: publicFiles.baseUrl,
      description: 'CloudFront base URL of public panorama sets and their viewer page (config_url and viewer_url answers point here)',
    });
    new CfnOutput(this, 'SealKeyId', {
      value: sealingKey.key.keyArn,
      description: 'KMS key for client secrets (CLI: TESSERA_SEAL_KMS_KEY_ID)',
    });
    for (const [name, table] of Object.entries(tables.byName)) {
      new CfnOutput(this, `${name}TableName`, { value: table.tableName });
    }
  }
}
