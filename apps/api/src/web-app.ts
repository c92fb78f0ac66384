import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

// The built web app (vite build → dist/web) is served at `/`; any other GET for a page that
// is not an API route gets index.html, so deep links such as /rooms/:id work.
export const WEB_DIST = resolve(__dirname, '../../../web');
const API_PREFIXES = ['/graphql', '/socket.io', '/api/', '/public/', '/.well-known/', '/healthz'];

type Req = { method: string; path: string; headers: Record<string, string | string[] | undefined> };
type Res = {
  sendFile(path: string, opts: object): void;
  status(n: number): Res;
  type(t: string): Res;
  send(b: string): void;
  setHeader(n: string, v: string): void;
};

export function serveWebApp(app: NestExpressApplication, dir: string = WEB_DIST): void {
  const index = join(dir, 'index.html');
  const built = existsSync(index);
  if (built) {
    app.useStaticAssets(join(dir, 'assets'), { prefix: '/assets/', immutable: true, maxAge: '365d', fallthrough: false });
    app.useStaticAssets(dir, { index: false, maxAge: '1h' });
  }
  app.use((req: Req, res: Res, next: () => void) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PREFIXES.some((p) => req.path === p || req.path.startsWith(p))) return next();
    const accept = String(req.headers.accept ?? '');
    if (!accept.includes('text/html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    if (built) return res.sendFile(index, { dotfiles: 'deny' });
    res.status(503).type('text/plain').send('The web app is not built yet: run `npm run build` (npm start does it).');
  });
}
