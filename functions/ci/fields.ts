import * as z from 'zod/mini';

/**
 * A `<Request>` value: text in XML, a string, number or boolean in the same structure sent as
 * JSON; read as text either way.
 */
export const text = z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String));
export const optionalText = z.optional(text);

/** A nested element (`<Input><Object/></Input>`, `{"Input": {"Object": …}}`); one, not a list. */
export const element = <Shape extends z.core.$ZodLooseShape>(name: string, shape: Shape) =>
  z.optional(z.object(shape, { error: `${name} must be one element` }));

/** `true` or `false` (absent or empty: false). */
export const flag = (name: string) => z.optional(z.pipe(text, z.enum(['', 'true', 'false'], { error: `${name} must be true or false` })));

/** A comma-separated list in one query parameter, empty items dropped. */
export const idList = (value: string | undefined) => (value ?? '').split(',').filter(Boolean);
