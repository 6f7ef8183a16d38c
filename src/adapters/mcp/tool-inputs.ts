/** JSON Schemas of the MCP tools' arguments (TypeBox), validated with ajv like the REST bodies. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { LedgergateError } from '../../domain/errors.js';

const waitSeconds = (max: number) =>
  Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: max,
      description: `Seconds to wait for a final answer before returning the current state (at most ${max})`,
    }),
  );

export function toolInputSchemas(maxWaitSeconds: number) {
  return {
    run_query: Type.Object(
      {
        sql: Type.String({ minLength: 1, description: 'GoogleSQL (BigQuery) text, e.g. SELECT … FROM `project.dataset.table`' }),
        reason: Type.Optional(Type.String({ maxLength: 2000, description: 'Why you run it; approvers read this' })),
        maxRows: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows to return (capped by the gateway)' })),
        wait: waitSeconds(maxWaitSeconds),
      },
      { additionalProperties: false },
    ),
    get_query: Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 200, description: 'The query id run_query returned' }),
        wait: waitSeconds(maxWaitSeconds),
      },
      { additionalProperties: false },
    ),
    list_datasets: Type.Object({}, { additionalProperties: false }),
    list_tables: Type.Object(
      { dataset: Type.String({ minLength: 1, maxLength: 1024, description: 'Dataset name, as list_datasets returns it' }) },
      { additionalProperties: false },
    ),
    describe_table: Type.Object(
      {
        dataset: Type.String({ minLength: 1, maxLength: 1024 }),
        table: Type.String({ minLength: 1, maxLength: 1024 }),
      },
      { additionalProperties: false },
    ),
  } as const;
}

export type ToolInputSchemas = ReturnType<typeof toolInputSchemas>;
export type ToolName = keyof ToolInputSchemas;
export type ToolInput<N extends ToolName> = Static<ToolInputSchemas[N]>;

export interface ArgumentValidator {
  parse<T extends TSchema>(schema: T, args: unknown): Static<T>;
}

export function createArgumentValidator(): ArgumentValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const compiled = new Map<TSchema, ReturnType<Ajv['compile']>>();
  return {
    parse<T extends TSchema>(schema: T, args: unknown): Static<T> {
      let validate = compiled.get(schema);
      if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
      const value = args ?? {};
      if (!validate(value)) {
        const problems = (validate.errors ?? [])
          .slice(0, 5)
          .map((e) =>
            e.keyword === 'additionalProperties'
              ? `unknown argument "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
              : `${e.instancePath.slice(1) || 'arguments'} ${e.message ?? 'is invalid'}`,
          );
        throw new LedgergateError('invalid_request', `Invalid arguments: ${problems.join('; ')}`);
      }
      return value as Static<T>;
    },
  };
}
