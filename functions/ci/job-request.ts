import { invalidInput } from '../core/errors.ts';
import { requestBody } from '../http/form.ts';
import { parseJsonText } from '../http/json-body.ts';
import type { HttpEvent } from '../http/http-handler.ts';
import type { PicJobRequest } from '../services/pic-jobs.ts';
import { parseXml } from './xml.ts';
import { node, text, type Node } from './request-fields.ts';

/** The `<Request>` of an XML body, or the same structure sent as JSON (with or without the Request wrapper). */
export function readRequest(event: HttpEvent): Node {
  const body = requestBody(event).toString('utf8').trim();
  if (!body) throw invalidInput('the request body is empty', 'MissingContent');
  if (body.startsWith('{')) {
    const parsed = parseJsonText(body);
    if (!parsed) throw invalidInput('the body is not valid JSON', 'InvalidContent');
    const root = node(parsed.value);
    return 'Request' in root ? node(root.Request) : root;
  }
  const root = parseXml(body);
  if (!('Request' in root)) throw invalidInput('the body must be a <Request> element', 'InvalidContent');
  return node(root.Request);
}

function boolean(value: unknown, what: string): boolean {
  const raw = text(value);
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalidInput(`${what} must be true or false`);
}

/** A PicProcess job request (reference §2.2), checked for shape; meaning is checked by the service. */
export function readJobRequest(request: Node): PicJobRequest & { tag: string; callBackType: string } {
  const tag = text(request.Tag);
  if (tag !== 'PicProcess') throw invalidInput(tag ? `Tag ${tag} is not supported; only PicProcess` : 'Tag is required (PicProcess)');
  const operation = node(request.Operation);
  const output = node(operation.Output);
  const picProcess = 'PicProcess' in operation ? node(operation.PicProcess) : undefined;
  const level = text(operation.JobLevel) ?? '0';
  if (!/^[0-2]$/.test(level)) throw invalidInput('Operation.JobLevel must be 0, 1 or 2');
  const format = (text(request.CallBackFormat) ?? 'XML').toUpperCase();
  if (format !== 'XML' && format !== 'JSON') throw invalidInput('CallBackFormat must be JSON or XML');
  const callBackType = text(request.CallBackType) ?? 'Url';
  if (callBackType !== 'Url') throw invalidInput(`CallBackType ${callBackType} is not supported; use Url`);
  const templateId = text(operation.TemplateId);
  if (templateId && picProcess) throw invalidInput('give Operation.TemplateId or Operation.PicProcess, not both');
  return {
    tag,
    inputObject: text(node(request.Input).Object) ?? '',
    output: { region: text(output.Region) ?? '', bucket: text(output.Bucket) ?? '', object: text(output.Object) ?? '' },
    ...(picProcess ? { picProcess: { isPicInfo: boolean(picProcess.IsPicInfo, 'PicProcess.IsPicInfo'), processRule: text(picProcess.ProcessRule) ?? '' } } : {}),
    ...(templateId ? { templateId } : {}),
    ...(text(operation.UserData) !== undefined ? { userData: text(operation.UserData) } : {}),
    jobLevel: Number(level),
    ...(text(request.CallBack) ? { callBack: text(request.CallBack) } : {}),
    callBackFormat: format as 'JSON' | 'XML',
    callBackType,
  };
}
