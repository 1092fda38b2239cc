import * as z from 'zod/mini';

/** A JSON Schema (2020-12, the dialect OpenAPI 3.1 schemas use), as plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * What a client may send for a zod schema: the input side of pipes and transforms (a query's
 * `size` is documented as the string it arrives as, not the number it becomes), and `{}` for
 * checks JSON Schema cannot say (custom refinements), which the route still applies.
 */
export function inputSchema(schema: z.ZodMiniType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  // `#/$defs/…` would resolve against the OpenAPI document's root, not this schema: refuse rather than emit a broken $ref.
  if ('$defs' in json)
    throw new Error(
      'a route schema converted to JSON Schema with $defs (a registered id or a cycle): inline it or teach the API document to hoist it',
    );
  return json;
}

/** The properties of an object schema, in declaration order, each with whether it is required. */
export function propertiesOf(schema: JsonSchema): { name: string; schema: JsonSchema; required: boolean }[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, schema: property, required: required.has(name) }));
}

/** The same object schema with more properties, and more of them required. */
export function withProperties(schema: JsonSchema, added: Readonly<Record<string, JsonSchema>>, required: readonly string[]): JsonSchema {
  const names = [...((schema.required ?? []) as string[])];
  for (const name of required) if (!names.includes(name)) names.push(name);
  return {
    ...schema,
    properties: { ...((schema.properties ?? {}) as Record<string, JsonSchema>), ...added },
    ...(names.length ? { required: names } : {}),
  };
}
