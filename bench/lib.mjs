// Shared helpers for benchmark scenarios (not tests): start the built server, wait for
// /graphql, seed rooms and connect their members, percentiles, and the result line the
// runner collects.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { connect, createServer } from 'node:net';
import { io } from 'socket.io-client';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForGraphql(url, deadlineMs = 120_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url}/graphql did not answer in time`);
}

export function startNode(args, env) {
  return spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function exited(child) {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
}

export function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// The runner reads the last line starting with this marker.
export function report(scenario, figures) {
  console.log(`BENCH_RESULT ${JSON.stringify({ scenario, ...figures })}`);
}

export const round = (n) => (n === null ? null : Math.round(n * 100) / 100);
export const withDb = (url, name) => Object.assign(new URL(url), { pathname: `/${name}` }).toString();

// A node child (`args` from the project's root) whose stdout `ready` turns into a port once
// it listens; resolves with the child, its port and its last log lines.
// `options.detached`: in a session of its own (on Linux, its own scheduler autogroup).
export function startChild(root, args, env, ready, options = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const logs = [];
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`child did not start:\n${logs.join('')}`)), 60_000);
    child.stdout.on('data', (c) => {
      logs.push(String(c));
      if (logs.length > 200) logs.shift();
      const port = ready(logs.join(''));
      if (port) {
        clearTimeout(timer);
        res({ child, port, logs });
      }
    });
    child.stderr.on('data', (c) => logs.push(String(c)));
    child.on('exit', (code) => rej(new Error(`child exited with ${code}:\n${logs.join('')}`)));
  });
}

export const stopChild = (child) => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM'))));

// Users, sessions, rooms, parties and memberships straight into the database (inside the
// caller's transaction): sign-up's argon2 would dominate the set-up time and is not what is
// measured. Member 0 facilitates; the others negotiate for the parties in turn.
export async function seedRooms(db, { rooms: roomCount, members: memberCount, parties: partyCount }) {
  const rooms = [];
  for (let r = 0; r < roomCount; r++) {
    const tokens = [];
    const creator = randomUUID();
    await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, 'Bench', 'x')`, [creator, `${creator}@bench.invalid`]);
    const {
      rows: [room],
    } = await db.query(`INSERT INTO room (title, purpose, speaker_attribution, created_by) VALUES ('Bench', 'bench', 'ATTRIBUTED', $1) RETURNING id`, [
      creator,
    ]);
    const parties = [];
    for (let p = 0; p < partyCount; p++)
      parties.push((await db.query(`INSERT INTO party (room_id, name) VALUES ($1, $2) RETURNING id`, [room.id, `P${p}`])).rows[0].id);
    for (let m = 0; m < memberCount; m++) {
      const userId = m === 0 ? creator : randomUUID();
      if (m > 0)
        await db.query(`INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, $2, $3, 'x')`, [
          userId,
          `${userId}@bench.invalid`,
          `Member ${m}`,
        ]);
      const token = randomBytes(32).toString('base64url');
      await db.query(`INSERT INTO user_session (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [
        userId,
        createHash('sha256').update(token).digest('hex'),
      ]);
      await db.query(`INSERT INTO membership (room_id, user_id, role, party_id, display_name) VALUES ($1, $2, $3, $4, $5)`, [
        room.id,
        userId,
        m === 0 ? 'FACILITATOR' : 'NEGOTIATOR',
        m === 0 ? null : parties[m % partyCount],
        `Member ${m}`,
      ]);
      tokens.push(token);
    }
    rooms.push({ id: room.id, tokens });
  }
  return rooms;
}

// Every member of every room connected to `${url}/live` and joined (room.sockets); returns
// all the sockets. `auth` turns a session token into the handshake's auth; `url` may be a
// function of the member's index in its room (members spread over several instances).
export async function connectAll(url, rooms, auth = (token) => ({ token })) {
  const urlOf = typeof url === 'function' ? url : () => url;
  const sockets = [];
  for (const room of rooms) {
    room.sockets = await Promise.all(
      room.tokens.map(
        (token, m) =>
          new Promise((res, rej) => {
            const s = io(`${urlOf(m)}/live`, { auth: auth(token), transports: ['websocket'], reconnection: false, forceNew: true });
            s.once('connect', () => res(s));
            s.once('connect_error', rej);
          }),
      ),
    );
    sockets.push(...room.sockets);
    await Promise.all(
      room.sockets.map(async (s) => {
        const ack = await s.timeout(30_000).emitWithAck('room:join', { roomId: room.id });
        if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
      }),
    );
  }
  return sockets;
}

// CPU time (user + system) of processes, in ms, from /proc (Linux; 0 elsewhere or once gone).
export function cpuMsOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone, or not Linux
    }
  }
  return ticks * 10; // USER_HZ = 100
}

// the PostgreSQL backends serving one database (the servers' pools), the asking one excluded
export async function backendPids(db, database) {
  const { rows } = await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
  return rows.map((r) => r.pid);
}

// Resident set size of a process in bytes, from /proc (Linux).
export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

// One proposal in VOTING with its first version and one OPEN majority ballot on it, seeded with
// SQL in the caller's transaction (the votes and castVote-path scenarios). Answers the ballot id.
export async function seedOpenBallot(db, roomId, title) {
  const {
    rows: [fac],
  } = await db.query(`SELECT id FROM membership WHERE room_id = $1 AND role = 'FACILITATOR'`, [roomId]);
  const clauses = JSON.stringify([{ key: '1', heading: null, text: 'The parties agree.', alternatives: [] }]);
  const {
    rows: [proposal],
  } = await db.query(
    `INSERT INTO proposal (room_id, title, status, version, text_hash, clauses, created_by) VALUES ($1, $2, 'VOTING', 1, $3, $4, $5) RETURNING id`,
    [roomId, title, 'f'.repeat(64), clauses, fac.id],
  );
  await db.query(`INSERT INTO proposal_version (proposal_id, number, clauses, text_hash, author_membership_id) VALUES ($1, 1, $2, $3, $4)`, [
    proposal.id,
    clauses,
    'f'.repeat(64),
    fac.id,
  ]);
  const {
    rows: [ballot],
  } = await db.query(
    `INSERT INTO ballot (room_id, proposal_id, version, rule, quorum, secrecy, status, opened_by) VALUES ($1, $2, 1, 'MAJORITY', 0.5, 'OPEN', 'OPEN', $3) RETURNING id`,
    [roomId, proposal.id, fac.id],
  );
  return ballot.id;
}

// A TCP proxy to PostgreSQL that counts, per frontend message after start-up, simple queries
// ('Q') and extended-protocol executions ('E') as statements; and round trips: a 'Q' or 'S'
// (sync) sent while every earlier one has been answered (ReadyForQuery, 'Z'), i.e. after the
// client waited. A client that pipelines (sends the next sync before the last answer) pays
// one round trip for the lot; one that does not pays one per 'Q' or 'S', as before.
export function countingProxy(target) {
  const counts = { statements: 0, roundTrips: 0 };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    let buf = Buffer.alloc(0);
    let started = false;
    // the client's syncs and queries not yet answered by a ReadyForQuery
    let unanswered = 0;
    let down = Buffer.alloc(0);
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 4) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          buf = buf.subarray(len);
          started = true;
          continue;
        }
        if (buf.length < 5) break;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const type = String.fromCharCode(buf[0]);
        if (type === 'Q' || type === 'E') counts.statements++;
        if (type === 'Q' || type === 'S') {
          if (unanswered === 0) counts.roundTrips++;
          unanswered++;
        }
        buf = buf.subarray(1 + len);
      }
    });
    upstream.on('data', (c) => {
      client.write(c);
      // every backend message is typed: [type, int32 length]; start-up's ReadyForQuery too
      down = Buffer.concat([down, c]);
      while (down.length >= 5) {
        const len = down.readInt32BE(1);
        if (down.length < 1 + len) break;
        if (down[0] === 0x5a /* Z */ && unanswered > 0) unanswered--;
        down = down.subarray(1 + len);
      }
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res({ server, counts, port: server.address().port })));
}

// One POST /graphql on a connection of its own, from a given loopback address; a network
// error, a timeout or an answer that is not JSON comes back as an error with code NET_… / HTTP_….
export function graphqlFrom(port, localAddress, query, variables) {
  const body = JSON.stringify({ query, variables });
  return new Promise((res) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c) => (text += c));
        r.on('end', () => {
          try {
            res(JSON.parse(text));
          } catch {
            res({ errors: [{ extensions: { code: `HTTP_${r.statusCode}` } }] });
          }
        });
      },
    );
    req.on('error', (e) => res({ errors: [{ extensions: { code: `NET_${e.code ?? 'ERROR'}` } }] }));
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

// POST /graphql over one keep-alive connection (node:http), timed from the request to the
// answer's last byte, the answer kept as the socket's chunks and decoded only on demand, after
// the timing: with fetch's streams and a parsed answer, this process's own work and garbage
// collections (4-48 ms pauses for progress's 233 KiB answers; ~1 ms a call for reviseProposal's
// small ones) fell inside the timed calls, charged to the server on the 2 cores they share.
// An answer with errors, or not 200, rejects. One client (one connection) per URL.
const DATA_START = Buffer.from('{"data":');
const keepAliveClients = new Map();
export function keepAliveGraphql(url) {
  if (!keepAliveClients.has(url)) keepAliveClients.set(url, keepAliveClient(url));
  return keepAliveClients.get(url);
}
function keepAliveClient(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (payload, token) => {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      const t = performance.now();
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (token) headers.authorization = `Bearer ${token}`;
      const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t;
          const bytes = Buffer.concat(chunks);
          // an answer with errors starts with them ({"errors":[...); one without is {"data":...}
          if (res.statusCode !== 200 || !bytes.subarray(0, DATA_START.length).equals(DATA_START)) {
            reject(new Error(`${res.statusCode}: ${bytes.toString('utf8', 0, 2000)}`));
            return;
          }
          resolve({
            ms,
            sql: Number(res.headers['x-sql-count']),
            bytes,
            get text() {
              return bytes.toString('utf8');
            },
            get body() {
              return JSON.parse(bytes.toString('utf8'));
            },
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}
