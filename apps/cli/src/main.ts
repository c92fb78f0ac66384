import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { createInterface } from 'node:readline';
import { DomainError, isUuid } from '@parley/common';
import { parsePublicKeyPem, verifyBundle } from '@parley/domain';
import { AgreementExportService, keyFingerprint } from '@parley/agreements';
import { IdentityService } from '@parley/identity';
import { RoomEventsService } from '@parley/rooms';
import { revertLastMigration } from '@parley/database';
import { printApiSchema } from '../../api/src/schema-printer';
import { openContext, openDatabase } from './cli-context';
import { DEMO_TITLE, runDemo } from './demo';

const HELP = `parley <command> [options]

  user:create --email EMAIL --name NAME   create an account (the first facilitator);
                                          the password is read from stdin or a prompt
  audit:verify --room ROOM_ID             verify a room's hash-chained event log, every stream
  migrate                                 apply pending database migrations
  migrate:revert [--steps N | --all]      revert the latest migration (or N, or all of them)
  export --agreement ID --format md|pdf|json --out FILE
                                          export an agreement (marked not yet published until it is)
  schema:print [--out FILE]               print the generated GraphQL schema
  demo                                    fill the database with a demo room mid-negotiation
                                          and print the demo sign-in details (run twice: no copy)

  keygen [--out FILE]                     make a party's own Ed25519 key: the private key
                                          to FILE (default parley-party-key.pem, mode 0600),
                                          the public key to FILE.pub and stdout
  sign --key FILE --hash HASH             sign an agreement's text hash with a party key;
                                          prints the base64 signature for signAgreement
  verify FILE [--trusted-key PEMFILE]     check an agreement bundle (JSON) offline: every
                                          hash, party signature and the server attestation;
                                          exit 0 when valid, 1 naming the first mismatch

The database is DATABASE_URL's, or the embedded one under PARLEY_DATA_DIR (./.parley);
keygen, sign and verify never open it.`;

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  process.stdout.write('Password (12 characters or more): ');
  out._writeToOutput = () => undefined;
  const answer = await new Promise<string>((res) => rl.question('', res));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

type Command = (args: string[]) => Promise<number>;

const TEXT_HASH = /^[0-9a-f]{64}$/;

async function readText(file: string, what: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    console.error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    return null;
  }
}

// Party keys and offline verification: pure crypto on files, no server and no database.
const offlineCommands: Record<string, Command> = {
  async keygen(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    const out = values.out ?? 'parley-party-key.pem';
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    try {
      // 'wx': never overwrite a key someone may already have registered
      await writeFile(out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      await chmod(out, 0o600);
      await writeFile(`${out}.pub`, publicPem, { flag: 'wx' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      console.error(code === 'EEXIST' ? `${out} or ${out}.pub already exists; choose another --out` : `cannot write ${out}: ${code ?? 'error'}`);
      return 1;
    }
    console.error(`wrote the private key to ${out} (keep it secret) and the public key to ${out}.pub`);
    console.error(`public key fingerprint (SHA-256): ${keyFingerprint(publicPem)}`);
    process.stdout.write(publicPem);
    return 0;
  },

  async sign(args) {
    const { values } = parseArgs({ args, options: { key: { type: 'string' }, hash: { type: 'string' } } });
    if (!values.key || !values.hash) {
      console.error('sign needs --key FILE and --hash HASH');
      return 2;
    }
    const hash = values.hash.trim().toLowerCase();
    if (!TEXT_HASH.test(hash)) {
      console.error('--hash must be the agreement text hash: 64 hexadecimal characters');
      return 2;
    }
    const pem = await readText(values.key, 'key file');
    if (pem === null) return 2;
    let key;
    try {
      key = createPrivateKey(pem);
    } catch {
      console.error(`${values.key} is not a private key in PEM`);
      return 2;
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      console.error(`${values.key} is not an Ed25519 key`);
      return 2;
    }
    console.error(`signing with the key of fingerprint ${keyFingerprint(createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString())}`);
    console.log(sign(null, Buffer.from(hash, 'ascii'), key).toString('base64'));
    return 0;
  },

  async verify(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'trusted-key': { type: 'string' } } });
    if (positionals.length !== 1) {
      console.error('verify needs exactly one bundle file');
      return 2;
    }
    const [file] = positionals;
    const text = await readText(file, 'bundle');
    if (text === null) return 2;
    let bundle: unknown;
    try {
      bundle = JSON.parse(text);
    } catch {
      console.error(`${file} is not valid JSON`);
      return 2;
    }
    let trustedServerKey: string | undefined;
    if (values['trusted-key'] !== undefined) {
      const pem = await readText(values['trusted-key'], 'trusted key');
      if (pem === null) return 2;
      if (!parsePublicKeyPem(pem)) {
        console.error(`${values['trusted-key']} is not an Ed25519 public key in SPKI PEM`);
        return 2;
      }
      trustedServerKey = pem;
    }
    const result = verifyBundle(bundle, { trustedServerKey });
    for (const check of result.checks) console.log(`ok  ${check}`);
    if (!result.ok) {
      console.log(`INVALID: ${result.failure}`);
      return 1;
    }
    const attestationKey = keyFingerprint((bundle as { attestation: { publicKey: string } }).attestation.publicKey);
    console.log(`VALID: ${file} (server key fingerprint ${attestationKey})`);
    return 0;
  },
};

const commands: Record<string, Command> = {
  async demo() {
    if (process.env.NODE_ENV === 'production') {
      console.error('demo refuses to run with NODE_ENV=production: its accounts have a published password');
      return 2;
    }
    const result = await runDemo();
    console.log(result.created ? `made the demo room "${DEMO_TITLE}"` : `the demo room "${DEMO_TITLE}" is already there; nothing was added`);
    console.log(`\nStart the server (npm start), open ${result.serverAddress}/rooms/${result.roomId} and sign in as:\n`);
    for (const a of result.accounts) console.log(`  ${a.who.padEnd(30)} ${a.email.padEnd(36)} password: ${a.password}`);
    console.log('\nThese accounts are for trying Parley on your own machine only.');
    return 0;
  },

  ...offlineCommands,

  async 'user:create'(args) {
    const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' } } });
    if (!values.email || !values.name) {
      console.error('user:create needs --email and --name');
      return 2;
    }
    const password = await readPassword();
    const ctx = await openContext();
    try {
      const user = await ctx.app.get(IdentityService).createUser({ email: values.email, password, displayName: values.name });
      console.log(`created user ${user.email} (${user.id})`);
      return 0;
    } finally {
      await ctx.close();
    }
  },

  async 'audit:verify'(args) {
    const { values } = parseArgs({ args, options: { room: { type: 'string' } } });
    if (!values.room || !isUuid(values.room)) {
      console.error('audit:verify needs --room with a room id');
      return 2;
    }
    const ctx = await openContext();
    try {
      // one line per stream: the room's first, then each party's private stream
      const results = await ctx.app.get(RoomEventsService).verify(values.room);
      if (!results) {
        console.error(`no room ${values.room}`);
        return 2;
      }
      for (const r of results) {
        const where = r.stream === 'room' ? '' : ` in stream ${r.stream}`;
        if (r.valid) console.log(`valid: ${r.length} events${where}, head ${r.head}`);
        else console.log(`BROKEN at seq ${r.firstBrokenSeq}${where} (${r.length} events read; last good hash ${r.head})`);
      }
      return results.every((r) => r.valid) ? 0 : 1;
    } finally {
      await ctx.close();
    }
  },

  async migrate() {
    const db = await openDatabase();
    console.log('migrations are up to date');
    await db.embedded?.stop();
    return 0;
  },

  async 'migrate:revert'(args) {
    const { values } = parseArgs({ args, options: { steps: { type: 'string' }, all: { type: 'boolean' } } });
    const steps = values.all ? Infinity : Number(values.steps ?? 1);
    if (!(steps >= 1) || (!values.all && !Number.isInteger(steps))) {
      console.error('migrate:revert takes --steps with a whole number from 1, or --all');
      return 2;
    }
    const db = await openDatabase({ migrate: false });
    try {
      let reverted = 0;
      while (reverted < steps) {
        const name = await revertLastMigration(db.url);
        if (!name) break;
        console.log(`reverted ${name}`);
        reverted += 1;
      }
      console.log(reverted ? `reverted ${reverted} migration(s)` : 'no migration to revert');
      return 0;
    } finally {
      await db.embedded?.stop();
    }
  },

  async export(args) {
    const { values } = parseArgs({ args, options: { agreement: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } });
    const format = values.format as 'md' | 'pdf' | 'json' | undefined;
    if (!values.agreement || !isUuid(values.agreement) || !format || !['md', 'pdf', 'json'].includes(format) || !values.out) {
      console.error('export needs --agreement ID, --format md|pdf|json and --out FILE');
      return 2;
    }
    const ctx = await openContext();
    try {
      const file = await ctx.app.get(AgreementExportService).forOperator(values.agreement, format);
      if (!file) {
        console.error(`no agreement ${values.agreement}`);
        return 2;
      }
      await writeFile(values.out, file.body);
      console.log(`wrote ${values.out} (${file.published ? 'published' : 'not yet published'})`);
      return 0;
    } finally {
      await ctx.close();
    }
  },

  async 'schema:print'(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    const schema = await printApiSchema();
    if (values.out) {
      await writeFile(values.out, schema);
      console.log(`wrote ${values.out}`);
    } else process.stdout.write(schema);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help') {
    console.log(HELP);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command ${name}\n\n${HELP}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof DomainError ? `${e.code}: ${e.message}` : `error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
