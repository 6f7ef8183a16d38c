/** JSON log lines on stdout through winston; raw protected values are never passed here. */
import winston from 'winston';
import type { Logger } from '../../domain/ports.js';

function wrap(inner: winston.Logger): Logger {
  return {
    debug: (message, fields) => void inner.debug(message, fields),
    info: (message, fields) => void inner.info(message, fields),
    warn: (message, fields) => void inner.warn(message, fields),
    error: (message, fields) => void inner.error(message, fields),
    child: (fields) => wrap(inner.child(fields)),
  };
}

export function createWinstonLogger(options: { level: string; service?: string }): Logger {
  return wrap(
    winston.createLogger({
      level: options.level,
      defaultMeta: { service: options.service ?? 'ledgergate' },
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new winston.transports.Console({ stderrLevels: [] })],
    }),
  );
}
