/** JSON Schemas of the API's request bodies; the same schemas validate requests and feed /openapi.json. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { LedgergateError } from '../../domain/errors.js';

export const SubmitQueryBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, description: 'GoogleSQL (BigQuery) text; several statements allowed' }),
    reason: Type.Optional(Type.String({ maxLength: 2000, description: 'Why the agent runs it; shown to approvers' })),
    maxRows: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows to return (capped by configuration)' })),
    wait: Type.Optional(Type.Number({ minimum: 0, maximum: 3600, description: 'Seconds to wait for a final answer' })),
  },
  { additionalProperties: false },
);
export type SubmitQueryBody = Static<typeof SubmitQueryBody>;

export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type DecisionBody = Static<typeof DecisionBody>;

export interface BodyValidator {
  parse<T extends TSchema>(schema: T, body: unknown): Static<T>;
}

export function createBodyValidator(): BodyValidator {
  // unicode: false — lengths count UTF-16 code units, as the SQL length limit does (`sql.length`); counting
  // code points walks every character, and a 1 MB statement's `minLength: 1` would cost milliseconds.
  const ajv = new Ajv({ allErrors: true, strict: false, unicode: false });
  const compiled = new Map<TSchema, ReturnType<Ajv['compile']>>();
  return {
    parse<T extends TSchema>(schema: T, body: unknown): Static<T> {
      let validate = compiled.get(schema);
      if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
      if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new LedgergateError('invalid_request', 'The body must be a JSON object (Content-Type: application/json)');
      }
      if (!validate(body)) {
        const problems = (validate.errors ?? [])
          .slice(0, 5)
          .map((e) =>
            e.keyword === 'additionalProperties'
              ? `unknown field "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
              : `${e.instancePath.slice(1) || 'body'} ${e.message ?? 'is invalid'}`,
          );
        throw new LedgergateError('invalid_request', `Invalid body: ${problems.join('; ')}`);
      }
      return body as Static<T>;
    },
  };
}
