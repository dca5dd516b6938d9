// A tiny static + fixture server for developing and testing the web app without the hub: serves
// hub/web (vendor files from hub/web/node_modules) and answers /api/v1/* from
// hub/web/test/fixtures/*.json, which follow the API contract (docs/hub-api.md). Login takes any
// user with the password "password"; POST /__commit sends a `commit` on /api/v1/live.
// Run by hand: node tests/hub/web/fixture_server.mjs [PORT] (FXLOG=1 logs each request)
import {existsSync, readFileSync, statSync} from 'node:fs';
import {createServer} from 'node:http';
import {extname, join, normalize} from 'node:path';

import {WEB_SRC} from './lib.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml'
};
const VENDOR = {
  '/vendor/echarts.min.js': join(WEB_SRC, 'node_modules/echarts/dist/echarts.min.js')
};

export function startFixtureServer({port = 0, fixtures = join(WEB_SRC, 'test/fixtures')} = {}) {
  const sessions = new Set();
  const streams = new Set();
  let alertsMissing = false;
  let live429 = 0;  // answer the next N /api/v1/live requests with 429 (all streams taken)
  const fixture = (name) => JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
  const server = createServer((req, res) => {
    if (process.env.FXLOG) console.log('srv', req.method, req.url);
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    const cookie = (req.headers.cookie || '').match(/tp_session=(\w+)/);
    const authed = cookie && sessions.has(cookie[1]);
    const json = (code, body, headers = {}) => {
      res.writeHead(code, {'Content-Type': 'application/json', ...headers});
      res.end(JSON.stringify(body));
    };
    if (path === '/__commit' && req.method === 'POST') {
      for (const s of streams) s.write(`event: commit\ndata: {"ms":${Date.now()},"events":1}\n\n`);
      res.writeHead(204);
      return res.end();
    }
    if (path === '/__live429') {
      live429 = Number(url.searchParams.get('n') || 1);
      res.writeHead(204);
      return res.end();
    }
    if (path === '/__alerts404') {
      alertsMissing = true;
      res.writeHead(204);
      return res.end();
    }
    if (path.startsWith('/api/')) {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (path === '/api/v1/login' || path === '/api/v1/setup') {
          const b = JSON.parse(body || '{}');
          if (b.password !== 'password' && path === '/api/v1/login')
            return json(401, {error: 'wrong user or password'});
          const id = Math.random().toString(16).slice(2);
          sessions.add(id);
          return json(
              path === '/api/v1/setup' ? 201 : 200, {...fixture('session'), user: b.user},
              {'Set-Cookie': `tp_session=${id}; HttpOnly; SameSite=Strict; Path=/`});
        }
        if (!authed) return json(401, {error: 'not signed in'});
        if (path === '/api/v1/logout') {
          sessions.delete(cookie[1]);
          res.writeHead(204);
          return res.end();
        }
        if (path === '/api/v1/live' && live429 > 0) {
          live429--;
          return json(429, {error: 'live: every stream is taken (8); try again later'});
        }
        if (path === '/api/v1/live') {
          res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache'});
          res.write(': hello\n\n');
          streams.add(res);
          res.on('close', () => streams.delete(res));
          return;
        }
        if (path === '/api/v1/alerts' && alertsMissing)
          return json(404, {error: 'not found: /api/v1/alerts'});
        if (/^\/api\/v1\/alerts\/[^/]+\/ack$/.test(path)) return json(200, {});
        const name = path.replace(/^\/api\/v1\//, '').replace(/^stores\//, '');
        const file = join(fixtures, `${name}.json`);
        if (!/^[\w-]+$/.test(name) || !existsSync(file))
          return json(404, {error: `not found: ${path}`});
        if (url.searchParams.get('format') === 'csv') {
          res.writeHead(200, {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Disposition': `attachment; filename="touchpoint-${name}.csv"`
          });
          return res.end('fixture\n1\n');
        }
        return json(200, fixture(name));
      });
      return;
    }
    let file = VENDOR[path] || join(WEB_SRC, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file) || !statSync(file).isFile() || path.includes('node_modules'))
      file = join(WEB_SRC, 'index.html');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy':
          'default-src \'self\'; img-src \'self\' data:; style-src \'self\' \'unsafe-inline\''
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((r) => {
        for (const s of streams) s.end();
        server.close(() => r());
        server.closeAllConnections();
      }),
    });
  }));
}

if (process.argv[1] && process.argv[1].endsWith('fixture_server.mjs')) {
  const s = await startFixtureServer({port: Number(process.argv[2] || 8090)});
  console.log(`fixture server at ${s.url}/`);
}
