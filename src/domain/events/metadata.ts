/** Metadata every event carries: who, from where, in which session, caused by what. */
export interface EventMetadata {
  /** The request (query id) this event belongs to, or a fresh id for events outside a request. */
  readonly correlationId: string;
  /** The id of the event or command that caused this one. */
  readonly causationId?: string;
  readonly principal?: {
    readonly subject: string;
    readonly email?: string;
    readonly actor?: string;
  };
  readonly clientIp?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  /** ISO-8601 time the gateway produced the event. */
  readonly occurredAt: string;
  /** Schema version of the event's data. */
  readonly schemaVersion: number;
  /** The gateway instance that wrote it. */
  readonly gatewayId?: string;
}

export const metadataSchema = {
  type: 'object',
  required: ['correlationId', 'occurredAt', 'schemaVersion'],
  additionalProperties: false,
  properties: {
    correlationId: { type: 'string', minLength: 1, maxLength: 200 },
    causationId: { type: 'string', maxLength: 200 },
    principal: {
      type: 'object',
      required: ['subject'],
      additionalProperties: false,
      properties: {
        subject: { type: 'string', maxLength: 1000 },
        email: { type: 'string', maxLength: 1000 },
        actor: { type: 'string', maxLength: 1000 },
      },
    },
    clientIp: { type: 'string', maxLength: 100 },
    userAgent: { type: 'string', maxLength: 1000 },
    sessionId: { type: 'string', maxLength: 200 },
    occurredAt: { type: 'string', format: 'date-time' },
    schemaVersion: { type: 'integer', minimum: 1 },
    gatewayId: { type: 'string', maxLength: 200 },
  },
} as const;
