/**
 * `ledgergate token --sub S [--email E] [--groups a,b] [--act SUB] [--ttl 10m]`: an access token from
 * the built-in development issuer. Prints only the token on stdout, so `TOKEN=$(npx ledgergate token …)`
 * works. Exit codes: 0 minted, 2 bad usage or a real OIDC issuer is configured, 1 anything else.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { isLedgergateError } from '../../domain/errors.js';
import { DEV_DEFAULT_AUDIENCE, openDevIssuer } from '../identity/dev-issuer.js';

export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = 'usage: ledgergate token --sub SUBJECT [--email EMAIL] [--groups a,b] [--act ACTOR_SUBJECT] [--ttl 10m]';
const MAX_TTL_SECONDS = 24 * 3600;
const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

class UsageError extends Error {}

export async function runTokenCommand(argv: string[], env: NodeJS.ProcessEnv, out: CommandOutput): Promise<number> {
  let request: TokenRequest;
  try {
    request = parseTokenArgs(argv);
  } catch (error) {
    out.stderr(`ledgergate token: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (request.help) {
    out.stdout(`${USAGE}\n`);
    return 0;
  }
  const externalIssuer = env.LEDGERGATE_OIDC_ISSUER?.trim();
  if (externalIssuer) {
    out.stderr(
      `ledgergate token: LEDGERGATE_OIDC_ISSUER is set (${externalIssuer}); tokens come from that issuer, ` +
        'the built-in development issuer is not in use\n',
    );
    return 2;
  }
  try {
    const issuer = openDevIssuer({ dataDir: resolve(env.LEDGERGATE_DATA_DIR?.trim() || './data') });
    const token = await issuer.mint({
      sub: request.sub,
      ...(request.email !== undefined ? { email: request.email } : {}),
      ...(request.groups !== undefined ? { groups: request.groups } : {}),
      ...(request.act !== undefined ? { act: request.act } : {}),
      ttlSeconds: request.ttlSeconds,
      audience: env.LEDGERGATE_OIDC_AUDIENCE?.trim() || DEV_DEFAULT_AUDIENCE,
      groupsClaim: env.LEDGERGATE_GROUPS_CLAIM?.trim() || 'groups',
    });
    out.stdout(`${token}\n`);
    return 0;
  } catch (error) {
    const message = isLedgergateError(error) || error instanceof Error ? error.message : String(error);
    out.stderr(`ledgergate token: ${message}\n`);
    return 1;
  }
}

interface TokenRequest {
  readonly help: boolean;
  readonly sub: string;
  readonly email?: string;
  readonly groups?: string[];
  readonly act?: string;
  readonly ttlSeconds: number;
}

function parseTokenArgs(argv: string[]): TokenRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string' },
        email: { type: 'string' },
        groups: { type: 'string' },
        act: { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) return { help: true, sub: '', ttlSeconds: 0 };
  const sub = nonEmpty(values.sub, '--sub');
  if (sub === undefined) throw new UsageError('--sub is required (the subject the token is for)');
  const email = nonEmpty(values.email, '--email');
  const act = nonEmpty(values.act, '--act');
  const groups =
    typeof values.groups === 'string'
      ? values.groups.split(',').map((group) => group.trim()).filter((group) => group.length > 0)
      : undefined;
  return {
    help: false,
    sub,
    ...(email !== undefined ? { email } : {}),
    ...(groups !== undefined ? { groups } : {}),
    ...(act !== undefined ? { act } : {}),
    ttlSeconds: typeof values.ttl === 'string' ? parseTtl(values.ttl) : 3600,
  };
}

function nonEmpty(value: string | boolean | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0) throw new UsageError(`${option} must not be empty`);
  return value.trim();
}

/** `90s`, `10m`, `2h`: a positive whole number and a unit; at most 24 hours for a development token. */
export function parseTtl(text: string): number {
  const match = /^([1-9][0-9]{0,6})([smh])$/.exec(text.trim());
  if (match === null) throw new UsageError(`--ttl must be a positive whole number followed by s, m or h (e.g. 10m), got "${text}"`);
  const seconds = Number(match[1]) * TTL_UNITS[match[2]];
  if (seconds > MAX_TTL_SECONDS) throw new UsageError('--ttl must be at most 24h');
  return seconds;
}
