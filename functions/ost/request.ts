import * as z from 'zod/mini';
import { MAX_SLICE_ID, MIN_SLICE_ID } from '../core/slices.ts';

const id = (name: string) =>
  z.string({ error: `${name} is required` }).check(z.minLength(1, `${name} is required`), z.maxLength(256, `${name} is too long`));

/** What every ost request carries: the app it comes from and the caller's request id. */
export const common = { app_id: id('app_id'), request_id: id('request_id'), cloud_id: z.optional(z.string().check(z.maxLength(64))) };
export const sessionFields = { ...common, upload_id: id('upload_id') };

const SLICE_ID_RANGE = `slice_id must be an integer from ${MIN_SLICE_ID} to ${MAX_SLICE_ID}`;

/** A slice id as a multipart field (text): a whole number 1–10,000. */
export const sliceIdField = z.pipe(
  z.string({ error: 'slice_id is required' }).check(
    z.minLength(1, 'slice_id is required'),
    z.regex(/^\d+$/, SLICE_ID_RANGE),
    z.refine((value) => Number(value) >= MIN_SLICE_ID && Number(value) <= MAX_SLICE_ID, SLICE_ID_RANGE),
  ),
  z.transform(Number),
);

/** A slice id in a JSON body (a number). */
export const sliceIdNumber = z.int(SLICE_ID_RANGE).check(z.gte(MIN_SLICE_ID, SLICE_ID_RANGE), z.lte(MAX_SLICE_ID, SLICE_ID_RANGE));

/** The one file part of ost's multipart routes, `data`, of any size the request can carry. */
export const DATA_FILE = { maxCount: 1, maxBytes: Number.POSITIVE_INFINITY, required: ['data'] } as const;
