import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DomainError, isUuid } from '@parley/common';
import { IdentityService } from '@parley/identity';
import { RoomEventsService, RoomEntity } from '@parley/rooms';
import { revertLastMigration } from '@parley/database';
import { TransactionRunner } from '@parley/database';
import { printApiSchema } from '../../api/src/schema-printer';
import { openContext, openDatabase } from './cli-context';

const HELP = `parley <command> [options]

  user:create --email EMAIL --name NAME   create an account (the first facilitator);
                                          the password is read from stdin or a prompt
  audit:verify --room ROOM_ID             verify a room's hash-chained event log
  migrate                                 apply pending database migrations
  migrate:revert                          revert the latest migration
  schema:print [--out FILE]               print the generated GraphQL schema

The database is DATABASE_URL's, or the embedded one under PARLEY_DATA_DIR (./.parley).`;

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
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

const commands: Record<string, Command> = {
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
      const room = await ctx.app.get(TransactionRunner).manager.findOne(RoomEntity, { where: { id: values.room } });
      if (!room) {
        console.error(`no room ${values.room}`);
        return 2;
      }
      const result = await ctx.app.get(RoomEventsService).verify(room.id);
      if (result.valid) {
        console.log(`valid: ${result.length} events, head ${result.head}`);
        return 0;
      }
      console.log(`BROKEN at seq ${result.firstBrokenSeq} (${result.length} events read; last good hash ${result.head})`);
      return 1;
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

  async 'migrate:revert'() {
    const db = await openDatabase();
    await revertLastMigration(db.url);
    console.log('reverted the latest migration');
    await db.embedded?.stop();
    return 0;
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
