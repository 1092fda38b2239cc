import { logger } from '../logger.ts';
import { slicedUpload } from '../services/sliced-upload.ts';

/** Scheduled: closes upload sessions whose time ran out, aborting their S3 uploads and staged slices. */
export const handler = async (): Promise<{ expired: number }> => {
  let expired = 0;
  for (let batch = await slicedUpload.expireStale(); batch > 0; batch = await slicedUpload.expireStale()) expired += batch;
  if (expired) logger.info('expired upload sessions', { expired });
  return { expired };
};
