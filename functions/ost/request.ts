import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { requestBody } from '../http/form.ts';
import { readJsonObject } from '../http/json-body.ts';
import type { HttpEvent } from '../http/http-handler.ts';

const id = (name: string) =>
  z.string({ error: `${name} is required` }).check(z.minLength(1, `${name} is required`), z.maxLength(256, `${name} is too long`));

export const common = { app_id: id('app_id'), request_id: id('request_id'), cloud_id: z.optional(z.string().check(z.maxLength(64))) };
export const sessionFields = { ...common, upload_id: id('upload_id') };

/**
 * Checks an ost request's fields against its schema, whether they came as a JSON body or as
 * multipart fields, so every route bounds the same fields the same way; the first problem
 * becomes a 10001 message.
 */
export function readFields<T extends z.ZodMiniType>(value: unknown, schema: T): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw invalidInput(issue.message.includes(String(issue.path[0] ?? '')) || !where ? issue.message : `${where}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads the JSON body of an ost request against its schema. */
export const readJson = <T extends z.ZodMiniType>(event: HttpEvent, schema: T): z.infer<T> => readFields(readJsonObject(requestBody(event)), schema);
