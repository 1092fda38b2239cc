import type { Client } from '../core/client.ts';
import { forbidden, invalidInput } from '../core/errors.ts';
import type { Plan } from '../core/imagemogr2/plan.ts';
import { watermarkSource } from '../core/imagemogr2/watermark-source.ts';
import { validateObjectName } from '../core/object-name.ts';
import { objectStore } from '../adapters/object-store.ts';

/** The watermark images a plan names, as they are named in it (each once). */
const referencesOf = (plan: Plan): string[] => [
  ...new Set(plan.stages.flatMap((stage) => (stage.processor === 'watermark' && stage.mark.kind === 'image' ? [stage.mark.image] : []))),
];

function keyOf(client: Client, reference: string): string {
  const source = watermarkSource(reference);
  if (source.kind === 'elsewhere') {
    throw invalidInput(
      `watermark image "${reference}" is not an object Tessera can read: name it by its object name or its COS URL (http://<bucket>-<appid>.cos.<region>.myqcloud.com/<object>)`,
    );
  }
  const buckets = client.cosBuckets ?? [];
  const bucket = source.kind === 'object' ? buckets[0] : buckets.find((entry) => entry.bucket === source.bucket);
  // Another client's bucket and a bucket that does not exist are answered alike: nothing here tells them apart.
  if (!bucket) throw forbidden(`watermark image "${reference}" is not in one of this client's buckets`);
  if (source.kind === 'bucket' && bucket.region !== source.region) {
    throw invalidInput(`watermark image "${reference}": bucket ${bucket.bucket} is in region ${bucket.region}, not ${source.region}`);
  }
  return validateObjectName(`${bucket.namespace}/${source.object}`, client.namespaces);
}

/**
 * The object key of every watermark image a plan names, each an object of this client's, by the
 * reference the rule uses. The worker reads these keys and nothing the rule says, so a rule can
 * only ever read the submitting client's objects.
 */
export function watermarkKeys(client: Client, plan: Plan): Record<string, string> {
  return Object.fromEntries(referencesOf(plan).map((reference) => [reference, keyOf(client, reference)]));
}

/** Each watermark image must exist now, so a job is not accepted only to fail. */
export async function checkWatermarksExist(keys: Readonly<Record<string, string>> | undefined): Promise<void> {
  for (const [reference, key] of Object.entries(keys ?? {})) {
    if (!(await objectStore.head(key))) throw invalidInput(`watermark image "${reference}" does not exist`);
  }
}
