/**
 * Every event type the gateway writes, with its JSON Schema and schema version. Payloads are
 * validated on append and on read, so a malformed or foreign event is never silently accepted.
 * The list itself is in event-schemas.ts.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { LedgergateError } from '../errors.js';
import { metadataSchema } from './metadata.js';
import { eventSchemas } from './event-schemas.js';

export { eventSchemas };

export type EventType = keyof typeof eventSchemas;

export interface EventRegistry {
  isKnown(type: string): type is EventType;
  versionOf(type: EventType): number;
  /** Throws invalid_event naming the type and the first schema violations. */
  validate(type: string, data: unknown, metadata: unknown): void;
  /** The metadata half of `validate`, for a reader that defers an event's data until it is read. */
  validateMetadata(type: string, metadata: unknown): void;
}

// ajv-formats ships CommonJS; under nodenext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

export function createEventRegistry(): EventRegistry {
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>(
    Object.entries(eventSchemas).map(([type, { schema }]) => [type, ajv.compile(schema)]),
  );
  const validateMetadata = ajv.compile(metadataSchema);

  const fail = (type: string, where: string, validator: ValidateFunction): never => {
    const problems = (validator.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new LedgergateError('invalid_event', `${type} ${where} does not match its schema: ${problems}`, { type });
  };

  return {
    isKnown: (type): type is EventType => validators.has(type),
    versionOf: (type) => eventSchemas[type].version,
    validate(type, data, metadata) {
      const validator = validators.get(type);
      if (!validator) throw new LedgergateError('invalid_event', `Unknown event type ${type}`, { type });
      if (!validator(data)) fail(type, 'data', validator);
      if (!validateMetadata(metadata)) fail(type, 'metadata', validateMetadata);
    },
    validateMetadata(type, metadata) {
      if (!validators.has(type)) throw new LedgergateError('invalid_event', `Unknown event type ${type}`, { type });
      if (!validateMetadata(metadata)) fail(type, 'metadata', validateMetadata);
    },
  };
}
