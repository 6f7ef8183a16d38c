/**
 * The keyed hash behind the `hash` rule. The key is captured in a closure so it cannot end up in a
 * log line or an event by accident (printing the hasher prints no key material).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { LedgergateError } from '../errors.js';

export type KeyedHasher = (input: string) => string;

/** 128 bits: shorter keys make the hash of a low-entropy value (an SSN) guessable by brute force. */
const minimumKeyBytes = 16;
const hexDigitsShown = 16;

export function keyBytesOf(key: Uint8Array | string): Buffer {
  if (typeof key === 'string') {
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(key)) {
      throw new LedgergateError('invalid_config', 'The masking HMAC key must be an even-length hex string');
    }
    return Buffer.from(key, 'hex');
  }
  return Buffer.from(key);
}

export function createKeyedHasher(key: Uint8Array | string): KeyedHasher {
  const bytes = keyBytesOf(key);
  if (bytes.length < minimumKeyBytes) {
    throw new LedgergateError('invalid_config', `The masking HMAC key must be at least ${minimumKeyBytes} bytes`);
  }
  // A KeyObject is prepared once; a raw buffer would be imported again for every value.
  const secret = createSecretKey(bytes);
  return (input) => `hash:${createHmac('sha256', secret).update(input, 'utf8').digest('hex').slice(0, hexDigitsShown)}`;
}
