import { Type, type Static } from '@sinclair/typebox';
import { statementKinds } from '../analysis/types.js';

export const Effect = Type.Union([Type.Literal('allow'), Type.Literal('deny'), Type.Literal('approve')]);
export type Effect = Static<typeof Effect>;

export const StatementKindSchema = Type.Union(statementKinds.map((k) => Type.Literal(k)));

export const PrincipalSnapshot = Type.Object(
  {
    subject: Type.String({ maxLength: 1000 }),
    issuer: Type.String({ maxLength: 1000 }),
    email: Type.Optional(Type.String({ maxLength: 1000 })),
    groups: Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000 }),
    actor: Type.Optional(
      Type.Object(
        { subject: Type.String({ maxLength: 1000 }), email: Type.Optional(Type.String({ maxLength: 1000 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type PrincipalSnapshot = Static<typeof PrincipalSnapshot>;

export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const ColumnDescription = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    masked: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ColumnDescription = Static<typeof ColumnDescription>;

/** A JSON value as stored (already masked): any JSON. */
export const JsonValue = Type.Unknown();
