import { readFileSync } from 'node:fs';
import type { OptionShape, OptionType } from '../contracts/stage';

interface SchemaProperty {
  type?: string;
  enum?: string[];
  items?: { type?: string };
  additionalProperties?: { type?: string } | boolean;
}

/** The option shape an executor's schema.json declares, for a test that a stage's shape says the same. */
export function optionShapeOfSchema(schemaFile: string): OptionShape {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: Record<string, SchemaProperty>; required?: string[] };
  const typeOf = (key: string, property: SchemaProperty): OptionType => {
    if (property.enum) return property.enum;
    if (property.type === 'array' && property.items?.type === 'string') return 'string[]';
    if (property.type === 'object' && typeof property.additionalProperties === 'object' && property.additionalProperties.type === 'string')
      return 'string-record';
    if (property.type === 'integer' || property.type === 'number') return 'number';
    if (property.type === 'string' || property.type === 'boolean') return property.type;
    throw new Error(`${schemaFile}: ${key} has a type no stage option shape has (${JSON.stringify(property)})`);
  };
  return Object.fromEntries(
    Object.entries(schema.properties).map(([key, property]) => [
      key,
      { type: typeOf(key, property), ...(schema.required?.includes(key) ? { required: true } : {}) },
    ]),
  );
}
