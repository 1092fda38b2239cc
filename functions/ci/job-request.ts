import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import type { JobLevel } from '../core/tasks/task.ts';
import { requestBody } from '../http/body-stream.ts';
import type { HttpEvent } from '../http/http-handler.ts';
import { parseJsonText } from '../http/json-body.ts';
import type { PicJobRequest } from '../services/pic-jobs.ts';
import { element, flag, optionalText, text } from './fields.ts';
import { parseXml } from './xml.ts';

/** The `<Request>` of an XML body, or the same structure sent as JSON (with or without the Request wrapper). */
export function readRequest(event: HttpEvent): unknown {
  const body = requestBody(event).toString('utf8').trim();
  if (!body) throw invalidInput('the request body is empty', 'MissingContent');
  if (body.startsWith('{')) {
    const parsed = parseJsonText(body);
    if (!parsed) throw invalidInput('the body is not valid JSON', 'InvalidContent');
    const root = parsed.value as Record<string, unknown>;
    return root && typeof root === 'object' && 'Request' in root ? root.Request : root;
  }
  const root = parseXml(body);
  if (!('Request' in root)) throw invalidInput('the body must be a <Request> element', 'InvalidContent');
  return root.Request;
}

/** `Tag` must be PicProcess, the only job (and template) kind Tessera runs. */
export const picProcessTag = z.pipe(
  z.optional(text),
  z.custom<'PicProcess'>((tag) => tag === 'PicProcess', {
    error: (issue) => (issue.input ? `Tag ${String(issue.input)} is not supported; only PicProcess` : 'Tag is required (PicProcess)'),
  }),
);

const PicProcess = element('Operation.PicProcess', { IsPicInfo: flag('PicProcess.IsPicInfo'), ProcessRule: optionalText });

/** A PicProcess job request (reference/tencent-ci.md §2.2), checked for shape; meaning is checked by the service. */
export const JobRequest = z
  .object(
    {
      Tag: picProcessTag,
      Input: element('Input', { Object: optionalText }),
      Operation: element('Operation', {
        TemplateId: optionalText,
        PicProcess,
        Output: element('Operation.Output', { Region: optionalText, Bucket: optionalText, Object: optionalText }),
        UserData: optionalText,
        JobLevel: z.optional(z.pipe(text, z.enum(['0', '1', '2'], { error: 'Operation.JobLevel must be 0, 1 or 2' }))),
      }),
      CallBack: optionalText,
      CallBackFormat: z.optional(
        z.pipe(
          text,
          z.pipe(
            z.transform((value: string) => value.toUpperCase()),
            z.enum(['JSON', 'XML'], { error: 'CallBackFormat must be JSON or XML' }),
          ),
        ),
      ),
      CallBackType: z.optional(
        z.pipe(
          text,
          z.custom<'Url'>((value) => value === 'Url', {
            error: (issue) => `CallBackType ${String(issue.input)} is not supported; use Url`,
          }),
        ),
      ),
    },
    { error: 'the body must be a <Request> element' },
  )
  .check(
    z.refine((request) => !(request.Operation?.TemplateId && request.Operation.PicProcess), {
      error: 'give Operation.TemplateId or Operation.PicProcess, not both',
    }),
  );

/** The service's view of a checked request. */
export function jobRequestOf(request: z.infer<typeof JobRequest>): PicJobRequest {
  const operation = request.Operation ?? {};
  const output = operation.Output ?? {};
  return {
    inputObject: request.Input?.Object ?? '',
    output: { region: output.Region ?? '', bucket: output.Bucket ?? '', object: output.Object ?? '' },
    ...(operation.PicProcess
      ? { picProcess: { isPicInfo: operation.PicProcess.IsPicInfo === 'true', processRule: operation.PicProcess.ProcessRule ?? '' } }
      : {}),
    ...(operation.TemplateId ? { templateId: operation.TemplateId } : {}),
    ...(operation.UserData !== undefined ? { userData: operation.UserData } : {}),
    jobLevel: Number(operation.JobLevel ?? '0') as JobLevel,
    ...(request.CallBack ? { callBack: request.CallBack } : {}),
    callBackFormat: request.CallBackFormat ?? 'XML',
  };
}
