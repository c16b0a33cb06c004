import { z } from 'zod';
import { configSchema } from './schema.js';

/*
 * The config's JSON Schema, generated from the zod schema that validates it, so that the two
 * never disagree: `cexbar schema` prints it for editors (a "$schema" key) and for the docs.
 */

/** The schema of the file as the user writes it: defaults shown, every field optional. */
export function configJsonSchema(): Record<string, unknown> {
  // "input": what may be written (fields with defaults may be left out), not what is parsed.
  return z.toJSONSchema(configSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      // zod names its startsWith check as a "format" no JSON Schema tool knows; the pattern says it.
      if (jsonSchema.format === 'starts_with') delete jsonSchema.format;
    },
  });
}
