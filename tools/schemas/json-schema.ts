/** The subset of JSON Schema draft-07 that Nx reads from an executor's or generator's schema.json. */
export interface PropertySchema {
  description?: string;
  /** `['string', 'number']`: a version the Nx CLI reads as a number (`--opensslVersion=3.5`), taken as its text. */
  type?: 'string' | 'boolean' | 'number' | 'integer' | 'array' | 'object' | ['string', 'number'];
  enum?: string[];
  const?: string;
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  required?: string[];
  additionalProperties?: false | PropertySchema;
  oneOf?: PropertySchema[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  alias?: string;
  $default?: { $source: 'argv'; index: number };
  'x-prompt'?: string;
  'x-priority'?: 'internal';
  visible?: boolean;
  'x-deprecated'?: string | true;
}

export interface OptionsSchema {
  $schema: 'https://json-schema.org/draft-07/schema';
  version: 2;
  title: string;
  description?: string;
  type: 'object';
  properties: Record<string, PropertySchema>;
  required: string[];
  additionalProperties: false;
}

/** The exact bytes written to schema.json: stable across runs and platforms. */
export function serializeSchema(schema: OptionsSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
