// The medium tier: the server's capability modules in a Nest application context (no HTTP
// listener, no sockets, no GraphQL), on a fresh PostgreSQL database of their own on the
// run's server (the same per-file database the e2e harness makes). Rules that need no HTTP
// or socket are tested here, through the services, as real sessions of real users.
import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { APP_CONFIG, createLogger, loadConfig, LOGGER } from '@parley/common';
import { DatabaseModule, runMigrations } from '@parley/database';
import { IdentityService, type AuthUser } from '@parley/identity';
import { RoomsService } from '@parley/rooms';
// not exported by the lib (it is the lib's own): the medium tier reaches it by its file
import { InvitesService } from '../../../libs/rooms/src/invites.service';
import { FEATURE_MODULES } from '../../../apps/api/src/feature-modules';
import { createTestDatabase, testSqlPool } from '../../support/harness';
import { fresh } from '../../support/factories';

@Module({})
class MediumModule {
  static forRoot(url: string): DynamicModule {
    const config = loadConfig({ ...process.env, DATABASE_URL: url, PARLEY_OPEN_SIGNUP: 'true', NODE_ENV: 'test', PARLEY_AUTH_RATE_PER_IP: '100000' });
    return {
      module: MediumModule,
      global: true,
      // a pool smaller than the tests' concurrency (a dozen accepts at once): a write that asks
      // the pool for a second connection while its transaction holds one and waits on a room
      // lock starves the pool and hangs here, instead of only under production load
      imports: [DatabaseModule.forRoot({ url, poolSize: 4, statementTimeoutMs: config.statementTimeoutMs }), ...FEATURE_MODULES],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger('warn') },
      ],
      exports: [APP_CONFIG, LOGGER],
    };
  }
}

export interface MediumUser {
  auth: AuthUser;
  email: string;
  displayName: string;
}

export interface MediumRoom {
  id: string;
  parties: Array<{ id: string; name: string }>;
  facilitator: MediumUser;
  // one per party, in party order
  negotiators: MediumUser[];
  observer: MediumUser;
}

export interface Medium {
  app: INestApplicationContext;
  get<T>(type: Type<T>): T;
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  user(displayName?: string): Promise<MediumUser>;
  // an invitation made by `by` and accepted by a new user
  join(by: MediumUser, roomId: string, role: 'NEGOTIATOR' | 'OBSERVER' | 'FACILITATOR', partyId?: string): Promise<MediumUser>;
  room(parties?: string[], over?: { speakerAttribution?: string }): Promise<MediumRoom>;
  close(): Promise<void>;
}

export async function startMedium(): Promise<Medium> {
  const db = await createTestDatabase();
  await runMigrations(db.url);
  const pool = await testSqlPool(db.url);
  const app = await NestFactory.createApplicationContext(MediumModule.forRoot(db.url), { logger: false });
  const get = <T>(type: Type<T>) => app.get(type, { strict: false });
  const identity = get(IdentityService);
  const user = async (displayName = fresh('Name')): Promise<MediumUser> => {
    const email = `${fresh('user')}@example.org`;
    const session = await identity.signUp({ email, password: 'correct horse battery staple', displayName });
    const auth = await identity.authenticate(session.token);
    if (!auth) throw new Error('a new session did not authenticate');
    return { auth, email, displayName };
  };
  const join: Medium['join'] = async (by, roomId, role, partyId) => {
    const invite = await get(InvitesService).create(by.auth, { roomId, role, partyId });
    const member = await user(fresh(role === 'NEGOTIATOR' ? 'Delegate' : role));
    await get(InvitesService).accept(member.auth, invite.token);
    return member;
  };
  return {
    app,
    get,
    sql: async (text, params) => (await pool.query(text, params as unknown[])).rows,
    user,
    join,
    async room(parties = ['Lab A', 'Lab B', 'Lab C'], over = {}) {
      const facilitator = await user(fresh('Facilitator'));
      const r = await get(RoomsService).createRoom(facilitator.auth, {
        title: fresh('Room'),
        purpose: 'Agree on one task',
        speakerAttribution: over.speakerAttribution ?? 'ATTRIBUTED',
        parties,
      });
      const rows = await get(RoomsService).parties(r.id);
      const byName = new Map(rows.map((p) => [p.name, { id: p.id, name: p.name }]));
      const ordered = parties.map((n) => byName.get(n)!);
      const negotiators: MediumUser[] = [];
      for (const p of ordered) negotiators.push(await join(facilitator, r.id, 'NEGOTIATOR', p.id));
      const observer = await join(facilitator, r.id, 'OBSERVER');
      return { id: r.id, parties: ordered, facilitator, negotiators, observer };
    },
    async close() {
      await app.close();
      await pool.end();
      await db.drop();
    },
  };
}

// The contract code a service call fails with (fails the test when the call succeeds).
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    throw e;
  }
  throw new Error('expected the call to fail');
}
