/** `npx ledgergate <command>`: token, policy check, verify. */
import { runPolicyCheckCommand } from './policy-check-command.js';
import { runTokenCommand } from './token-command.js';
import { runVerifyCommand } from './verify-command.js';

const out = {
  stdout: (s: string) => void process.stdout.write(s),
  stderr: (s: string) => void process.stderr.write(s),
};

const usage = `usage: ledgergate <command>
  token --sub S [--email E] [--groups a,b] [--act SUB] [--ttl 10m]   a token from the built-in development issuer
  policy check FILE                                                 validate a policy file
  verify FILE                                                       verify an evidence bundle offline
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'token':
      return runTokenCommand(rest, process.env, out);
    case 'policy':
      if (rest[0] !== 'check') {
        out.stderr(`ledgergate policy: unknown subcommand "${rest[0] ?? ''}" (expected: policy check FILE)\n`);
        return 2;
      }
      return runPolicyCheckCommand(rest.slice(1), out);
    case 'verify':
      return runVerifyCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.stdout(usage);
      return command === undefined ? 2 : 0;
    default:
      out.stderr(`ledgergate: unknown command "${command}"\n${usage}`);
      return 2;
  }
}

process.exitCode = await run(process.argv.slice(2));
