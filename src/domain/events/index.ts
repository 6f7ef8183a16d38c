export * from './metadata.js';
export * from './shared-schemas.js';
export * from './request-events.js';
export * from './approval-events.js';
export * from './execution-events.js';
export * from './system-events.js';
export * from './registry.js';
export * from './assessment-events.js';
