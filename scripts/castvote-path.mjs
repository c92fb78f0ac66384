// Which of the project's files one castVote runs code in, from the GraphQL resolver to the
// socket emit (issue 13: "following a ballot id from castVote to the database and out to the
// sockets touches fewer files"). Starts a built server (`root`, default this checkout) with the
// inspector, seeds a room with an open ballot and a member joined over socket.io, casts one
// vote to warm up, then takes V8's precise coverage around a second vote until the member has
// received its event: every project file with a function that ran, as its TypeScript source.
// PATH_FUNCTIONS=1 also prints which functions ran in each.
//   node scripts/castvote-path.mjs [root]   (after npm run build; DATABASE_URL = an admin URL)
import { randomBytes } from 'node:crypto';
import { resolve, relative } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { connectAll, seedOpenBallot, seedRooms, startChild, stopChild, withDb } from '../bench/lib.mjs';

const root = resolve(process.argv[2] ?? '.');
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const VOTE = `mutation($input: CastVoteInput!) { castVote(input: $input) { choice party { id } } }`;

function inspector(url) {
  const ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map();
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    if (msg.id && waiting.has(msg.id)) waiting.get(msg.id)(msg);
  });
  const send = (method, params = {}) =>
    new Promise((res, rej) => {
      const n = ++id;
      waiting.set(n, (msg) => (msg.error ? rej(new Error(JSON.stringify(msg.error))) : res(msg.result)));
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return new Promise((res) => ws.once('open', () => res({ send, close: () => ws.close() })));
}

async function seed(db) {
  await db.query('BEGIN');
  const [room] = await seedRooms(db, { rooms: 1, members: 3, parties: 3 });
  const ballotId = await seedOpenBallot(db, room.id, 'Path');
  await db.query('COMMIT');
  return { ...room, ballotId };
}

const name = `parley_path_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
let api;
let sockets = [];
try {
  const dbUrl = withDb(ADMIN_URL, name);
  api = await startChild(
    root,
    ['--inspect=127.0.0.1:0', 'dist/apps/api/src/main.js'],
    { DATABASE_URL: dbUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: '', PARLEY_SCHEDULER_INTERVAL_MS: '600000' },
    (out) => /"port":(\d+),"ms"/.exec(out)?.[1],
  );
  const wsUrl = /Debugger listening on (ws:\/\/\S+)/.exec(api.logs.join(''))?.[1];
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const room = await seed(db);
  await db.end();
  const url = `http://127.0.0.1:${api.port}`;
  sockets = await connectAll(url, [room]);
  const vote = async (token, choice) => {
    const received = new Promise((res) => sockets[0].once('room:event', res));
    const r = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VOTE, variables: { input: { ballotId: room.ballotId, choice } } }),
    });
    const body = await r.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    await received;
    await new Promise((r) => setTimeout(r, 200));
  };
  await vote(room.tokens[1], 'SUPPORT'); // warm-up: lazy set-up is not the path
  const inspect = await inspector(wsUrl);
  await inspect.send('Profiler.enable');
  await inspect.send('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  await inspect.send('Profiler.takePreciseCoverage'); // reset the counts
  await vote(room.tokens[2], 'OPPOSE');
  const { result } = await inspect.send('Profiler.takePreciseCoverage');
  inspect.close();
  const files = new Set();
  for (const script of result) {
    const m = /\/dist\/((?:apps|libs)\/.*)\.js$/.exec(script.url);
    if (!m || !script.functions.some((f) => f.ranges[0].count > 0 && f.functionName)) continue;
    files.add(`${m[1]}.ts`);
    if (process.env.PATH_FUNCTIONS)
      console.log(
        m[1],
        script.functions
          .filter((f) => f.ranges[0].count > 0 && f.functionName)
          .map((f) => f.functionName)
          .join(' '),
      );
  }
  // the schedulers' timers tick on their own while the vote runs: not the vote's path
  const list = [...files].filter((f) => !f.endsWith('.scheduler.ts')).sort();
  // the path through the capabilities: without the request pipeline every request shares
  // (apps/api, libs/common, libs/identity), the pure rules (libs/domain) and index re-exports
  const capabilities = list.filter((f) => !/^(apps\/api|libs\/(common|identity|domain))\/|\/index\.ts$/.test(f));
  console.log(`${relative(process.cwd(), root) || '.'}: ${list.length} files run for one castVote (resolver → SQL → socket emit)`);
  for (const f of list) console.log(`  ${capabilities.includes(f) ? '*' : ' '} ${f}`);
  console.log(`* ${capabilities.length} of them in the capabilities and libs/database`);
} finally {
  for (const s of sockets) s.disconnect();
  if (api) await stopChild(api.child);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
