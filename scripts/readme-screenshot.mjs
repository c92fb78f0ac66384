// Makes docs/images/room.png, the README's picture of the room screen: the demo room
// (`parley demo`) as Aurora Labs' negotiator sees it at laptop width. Not run by tests.
//
//   npm run build && node scripts/readme-screenshot.mjs [--out docs/images/room.png]
//
// It starts the built server on a fresh embedded data folder in a temporary directory (your
// ./.parley is not touched), fills it with the demo, signs in through the sign-in page in
// Debian's Chromium (PARLEY_CHROMIUM to use another), waits until the room is live and the
// discussion is loaded, and saves the visible 1280×800 viewport. The PNG is re-compressed
// (lossless, zlib level 9); the script fails if it is 250 KB or more.
/* global document -- page.evaluate callbacks run in the browser */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { deflateSync, inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { exited, freePort, startNode, waitForGraphql } from '../bench/lib.mjs';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/images/room.png' } } });
const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const MAX_BYTES = 250 * 1024;
const VIEWPORT = { width: 1280, height: 800 };
const NEGOTIATOR = { email: 'aurora@demo.parley.example', password: 'parley-demo-password' };

if (!existsSync('dist/apps/api/src/main.js')) throw new Error('build first: npm run build');

// PNG re-encoding without a dependency: inflate the image data, drop an alpha channel that is
// opaque everywhere, choose a filter per row (the smallest sum of absolute differences) and
// deflate at level 9. Handles the 8-bit, non-interlaced RGB/RGBA files Chromium writes.
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
const paeth = (a, b, c) => {
  const p = a + b - c;
  const pa = Math.abs(p - a),
    pb = Math.abs(p - b),
    pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};
function recompress(png) {
  let pos = 8;
  let ihdr;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const width = ihdr.readUInt32BE(0),
    height = ihdr.readUInt32BE(4);
  const depth = ihdr[8],
    colour = ihdr[9],
    interlace = ihdr[12];
  if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) return png;
  const bpp = colour === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0,
        b = prev[x],
        c = x >= bpp ? prev[x - bpp] : 0;
      const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      out[x] = (line[x] + pred) & 0xff;
    }
  }
  let rgb = pixels,
    outBpp = bpp;
  if (bpp === 4) {
    let opaque = true;
    for (let i = 3; i < pixels.length && opaque; i += 4) opaque = pixels[i] === 255;
    if (opaque) {
      rgb = Buffer.alloc(width * height * 3);
      for (let i = 0, j = 0; i < pixels.length; i += 4, j += 3) pixels.copy(rgb, j, i, i + 3);
      outBpp = 3;
    }
  }
  const outStride = width * outBpp;
  const filtered = Buffer.alloc(height * (outStride + 1));
  const candidate = Buffer.alloc(outStride);
  for (let y = 0; y < height; y++) {
    const cur = rgb.subarray(y * outStride, (y + 1) * outStride);
    const prev = y ? rgb.subarray((y - 1) * outStride, y * outStride) : Buffer.alloc(outStride);
    let best = Infinity;
    for (let f = 0; f < 5; f++) {
      let sum = 0;
      for (let x = 0; x < outStride; x++) {
        const a = x >= outBpp ? cur[x - outBpp] : 0,
          b = prev[x],
          c = x >= outBpp ? prev[x - outBpp] : 0;
        const v = (cur[x] - [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]) & 0xff;
        candidate[x] = v;
        sum += v < 128 ? v : 256 - v;
      }
      if (sum < best) {
        best = sum;
        filtered[y * (outStride + 1)] = f;
        candidate.copy(filtered, y * (outStride + 1) + 1);
      }
    }
  }
  const header = Buffer.from(ihdr);
  header[9] = outBpp === 3 ? 2 : 6;
  const smaller = Buffer.concat([
    png.subarray(0, 8),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filtered, { level: 9, memLevel: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return smaller.length < png.length ? smaller : png;
}

const dir = await mkdtemp(join(tmpdir(), 'parley-readme-shot-'));
await chmod(dir, 0o755);
const dataDir = join(dir, 'data');
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = startNode(['dist/apps/api/src/main.js'], { PORT: String(port), HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, DATABASE_URL: '' });
let browser;
try {
  await waitForGraphql(url);
  const demo = await promisify(execFile)(process.execPath, ['dist/apps/cli/src/main.js', 'demo'], {
    env: { ...process.env, PARLEY_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
  });
  const roomId = /\/rooms\/([0-9a-f-]{36})/.exec(demo.stdout)?.[1];
  if (!roomId) throw new Error(`the demo printed no room URL:\n${demo.stdout}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  await page.goto(`${url}/rooms/${roomId}`);
  await page.getByLabel('Email').fill(NEGOTIATOR.email);
  await page.getByLabel('Password').fill(NEGOTIATOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('region', { name: 'Negotiating text' }).getByRole('heading', { name: 'Incident-sharing accord' }).waitFor({ timeout: 30_000 });
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
  await page.getByRole('log').getByText('the notification window is the open question').waitFor();
  await page.evaluate(() => document.fonts.ready);
  const png = recompress(await page.screenshot({ type: 'png' }));
  if (png.length >= MAX_BYTES) throw new Error(`${values.out} would be ${Math.round(png.length / 1024)} KB: over the 250 KB budget`);
  await mkdir(dirname(values.out), { recursive: true });
  await writeFile(values.out, png);
  console.log(`wrote ${values.out}: ${VIEWPORT.width}×${VIEWPORT.height}, ${Math.round((await stat(values.out)).size / 1024)} KB`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await exited(server);
  await rm(dir, { recursive: true, force: true });
}
