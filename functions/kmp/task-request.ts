import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { panoramaConfig } from '../config.ts';
import type { TaskDescription, WorkRequest } from '../services/tasks.ts';
import { kmpName } from './fields.ts';
import { TASK_TYPES, type KmpTaskType } from './task-view.ts';

const quality = (name: string) =>
  z.optional(
    z
      .int(`${name} must be an integer from 1 to 100`)
      .check(z.gte(1, `${name} must be an integer from 1 to 100`), z.lte(100, `${name} must be an integer from 1 to 100`)),
  );

const taskType = z.custom<KmpTaskType>((value) => typeof value === 'string' && value in TASK_TYPES, {
  error: (issue) =>
    typeof issue.input === 'string' && issue.input.startsWith('REAL3D')
      ? `task_type ${issue.input} is KooMap's 3-D modelling, which Tessera does not run; use PANORAMA or PICPROCESS`
      : 'task_type must be PANORAMA or PICPROCESS',
});

const MODELING_PARAMS = 'modeling_params takes accuracy, key_point_limit, tie_point_limit and mesh_accuracy';

/**
 * One of ModelingParams' numbers: the SDK sends them as strings since 3.1.97 and as integers
 * before (reference/kmp.md §3), so both are taken, and echoed as the SDK now types them: "40000".
 */
const wholeNumber = (name: string, min: number, max: number) => {
  const message = `modeling_params.${name} must be a whole number from ${min} to ${max}`;
  const inRange = (value: number) => value >= min && value <= max;
  return z.optional(
    z.pipe(
      z.union(
        [
          z.int(message).check(z.gte(min, message), z.lte(max, message)),
          z.string(message).check(
            z.regex(/^\d{1,7}$/, message),
            z.refine((text) => inRange(Number(text)), message),
          ),
        ],
        { error: message },
      ),
      z.transform((value) => String(Number(value))),
    ),
  );
};

/**
 * KooMap's ModelingParams (reference/kmp.md §3), its four fields and nothing else: kept with the
 * task and echoed, so only what KooMap itself would take is stored (a number past 2^53 or a few
 * hundred KB of keys would otherwise fail the write).
 */
const modelingParams = z.strictObject(
  {
    accuracy: z.optional(
      z.enum(['Highest', 'High', 'Medium', 'Low', 'Lowest'], {
        error: 'modeling_params.accuracy must be Highest, High, Medium, Low or Lowest',
      }),
    ),
    key_point_limit: wholeNumber('key_point_limit', 1_000, 1_000_000),
    tie_point_limit: wholeNumber('tie_point_limit', 100, 100_000),
    mesh_accuracy: wholeNumber('mesh_accuracy', 0, 2),
  },
  {
    error: (issue) =>
      // One key named, cut short: the message is echoed, and the keys are the client's.
      issue.code === 'unrecognized_keys'
        ? `${MODELING_PARAMS}, not ${JSON.stringify(issue.keys[0]!.slice(0, 64))}`
        : `${MODELING_PARAMS}, in an object`,
  },
);

/**
 * KooMap's CreateReal3DTaskDto fields (reference/kmp.md §3) and, beside them, the work's own
 * parameters (docs/kmp.md): `input_object`; for PANORAMA the five `*_quality` fields; for
 * PICPROCESS `output_object`, `process_rule` or `template_id`, `is_pic_info`, `job_level`, and
 * Tessera's `callback_url` (+ `callback_format`), signed and retried as ci's CallBack.
 */
const fields = {
  task_name: kmpName('task_name', 1, 50),
  task_description: z.optional(
    z
      .string()
      .check(
        z.regex(/^[\p{Script=Han}A-Za-z0-9_]{0,255}$/u, 'task_description must be at most 255 Chinese characters, letters, digits or "_"'),
      ),
  ),
  task_type: taskType,
  modeling_type: z.optional(z.string().check(z.maxLength(64))),
  modeling_params: z.optional(modelingParams),
  folder_code: z.optional(z.string().check(z.maxLength(256))),
  coordinate_sys: z.optional(z.literal('WGS84-UTM', { error: 'coordinate_sys must be WGS84-UTM' })),
  input_object: z
    .string({ error: 'input_object is required: the key of the file the task works on' })
    .check(z.minLength(1, 'input_object is required: the key of the file the task works on')),
  output_object: z.optional(z.string().check(z.minLength(1))),
  process_rule: z.optional(z.string().check(z.minLength(1))),
  template_id: z.optional(z.string().check(z.maxLength(64))),
  is_pic_info: z.optional(z.boolean('is_pic_info must be true or false')),
  job_level: z.optional(z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'job_level must be 0, 1 or 2' })),
  callback_url: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  callback_format: z.optional(z.enum(['JSON', 'XML'], { error: 'callback_format must be JSON or XML' })),
  fallback_quality: quality('fallback_quality'),
  '01_quality': quality('01_quality'),
  '02_quality': quality('02_quality'),
  '03_quality': quality('03_quality'),
  '04_quality': quality('04_quality'),
};

export const CreateTask = z.object(fields);
export const UpdateTask = z.partial(z.object(fields));

type Fields = Partial<z.infer<typeof CreateTask>>;

const WORK_FIELDS = [
  'input_object',
  'output_object',
  'process_rule',
  'template_id',
  'is_pic_info',
  'job_level',
  'callback_url',
  'callback_format',
  'fallback_quality',
  '01_quality',
  '02_quality',
  '03_quality',
  '04_quality',
] as const;

/** Whether the body describes work (an update may change only the description). */
export const describesWork = (body: Fields) => WORK_FIELDS.some((name) => body[name] !== undefined);

/** The work the body asks for, of the given type. */
export function workOf(type: KmpTaskType, body: Fields): WorkRequest {
  if (!body.input_object) throw invalidInput('input_object is required: the key of the file the task works on');
  if (TASK_TYPES[type] === 'panorama') {
    const fallback = panoramaConfig.defaultQuality();
    return {
      kind: 'panorama',
      input: body.input_object,
      qualities: {
        fallback: body.fallback_quality ?? fallback,
        levels: [
          body['01_quality'] ?? fallback,
          body['02_quality'] ?? fallback,
          body['03_quality'] ?? fallback,
          body['04_quality'] ?? fallback,
        ],
      },
    };
  }
  if (!body.output_object) throw invalidInput('output_object is required for a PICPROCESS task');
  return {
    kind: 'picprocess',
    input: body.input_object,
    output: body.output_object,
    ...(body.process_rule ? { rule: body.process_rule } : {}),
    ...(body.template_id ? { templateId: body.template_id } : {}),
    describeOriginal: body.is_pic_info ?? false,
    level: body.job_level ?? 0,
    ...(body.callback_url ? { callback: { url: body.callback_url, format: body.callback_format ?? 'JSON' } } : {}),
  };
}

/** The task's name, description, and KooMap's own fields, echoed in its answers. */
export function descriptionOf(body: Fields): Partial<TaskDescription> {
  const attributes = Object.fromEntries(
    (['modeling_type', 'modeling_params', 'folder_code', 'coordinate_sys'] as const).flatMap((name) =>
      body[name] === undefined ? [] : [[name, body[name]]],
    ),
  );
  return {
    ...(body.task_name !== undefined ? { name: body.task_name } : {}),
    ...(body.task_description !== undefined ? { description: body.task_description } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
}
