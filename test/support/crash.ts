// Helpers for the crash-safety tests: kill a server (and its embedded PostgreSQL) the hard
// way, flood a room with messages and votes while recording what was acknowledged.
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { Client, sleep, type LiveClient, type ServerHandle } from './harness';
import { CAST_VOTE } from './negotiation';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

export async function postmasterOf(dataDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

// SIGKILL to a data folder's postmaster and every backend.
export async function killPostgres(dataDir: string): Promise<void> {
  const pm = await postmasterOf(dataDir);
  const pids = [pm.pid, ...(await childrenOf(pm.pid))];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await sleep(50);
}

// SIGKILL to the server, its postmaster and every backend, as a power cut would.
export async function killHard(server: ServerHandle, dataDir: string | null): Promise<void> {
  const pm = dataDir ? await postmasterOf(dataDir) : null;
  const backends = pm ? await childrenOf(pm.pid) : [];
  const exited = new Promise<void>((res) =>
    server.process.exitCode !== null || server.process.signalCode !== null ? res() : server.process.once('exit', () => res()),
  );
  for (const pid of [server.process.pid!, ...(pm ? [pm.pid] : []), ...backends]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  const deadline = Date.now() + 10_000;
  while ([...(pm ? [pm.pid] : []), ...backends].some(alive) && Date.now() < deadline) await sleep(50);
}

// A SQL connection to a data folder's embedded PostgreSQL (the server must be running).
export async function embeddedSql(dataDir: string): Promise<pg.Client> {
  const password = (await readFile(join(dataDir, 'pg-password'), 'utf8')).trim();
  const { port } = await postmasterOf(dataDir);
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'parley', password, database: 'parley' });
  await c.connect();
  return c;
}

export interface SentMessage {
  // index of the socket (so of the user) that sent it
  from: number;
  clientMsgId: string;
  body: string;
  id?: string;
  seq?: number;
}

export interface FloodResult {
  acked: SentMessage[];
  // sent, never answered (the server died, or answered with an error): may or may not be stored
  unanswered: SentMessage[];
  votes: Map<string, { acked: string[]; unanswered: string[] }>;
  errors: string[];
}

const CHOICES = ['SUPPORT', 'OPPOSE', 'ABSTAIN'];

// Each socket sends messages one after another (the next once the last is answered), each
// GraphQL client changes its party's vote on `ballotId` one after another, until stop().
export function flood(sockets: LiveClient[], roomId: string, voters: Array<{ key: string; client: () => Client }>, ballotId: string | null, tag: string) {
  let stopped = false;
  const result: FloodResult = { acked: [], unanswered: [], votes: new Map(), errors: [] };
  const messageLoop = async (s: LiveClient, i: number) => {
    for (let n = 0; !stopped; n++) {
      const m: SentMessage = { from: i, clientMsgId: randomUUID(), body: `${tag} s${i} #${n}` };
      try {
        const ack = await s.socket.timeout(10_000).emitWithAck('message:send', { roomId, body: m.body, clientMsgId: m.clientMsgId });
        if (ack?.ok) {
          result.acked.push({ ...m, id: ack.message.id, seq: ack.message.seq });
          continue;
        }
        result.errors.push(JSON.stringify(ack?.error));
      } catch (e) {
        result.errors.push(String(e));
      }
      result.unanswered.push(m);
      // the server answered with an error (its database is down): go on; it died: stop
      if (!s.socket.connected) return;
      await sleep(100);
    }
  };
  const voteLoop = async (v: { key: string; client: () => Client }) => {
    const rec = { acked: [] as string[], unanswered: [] as string[] };
    result.votes.set(v.key, rec);
    for (let n = 0; !stopped; n++) {
      const choice = CHOICES[n % CHOICES.length];
      try {
        const r = await v.client().gql(CAST_VOTE, { input: { ballotId, choice } });
        if (r.data && !r.errors?.length) {
          rec.acked.push(choice);
          continue;
        }
        result.errors.push(JSON.stringify(r.errors));
        rec.unanswered.push(choice);
        await sleep(100);
      } catch (e) {
        // no answer at all: the server died
        result.errors.push(String(e));
        rec.unanswered.push(choice);
        return;
      }
    }
  };
  const loops = [...sockets.map(messageLoop), ...(ballotId ? voters.map(voteLoop) : [])];
  return {
    result,
    stop: async () => {
      stopped = true;
      await Promise.allSettled(loops);
      return result;
    },
    // wait until the loops have all ended (the server died under them)
    ended: () => Promise.allSettled(loops).then(() => result),
  };
}
