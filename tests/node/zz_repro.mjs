import http from 'node:http';
import { spawn } from 'node:child_process';
import { verify } from '@octokit/webhooks-methods';
import { octokit, createUserWithToken, createRepo, deployctl, DEPLOY_BIN, DEPLOY_DB } from './helpers.mjs';

const SECRET = 'repro-secret';
const got = [];
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  n++;
  if (n <= 3) { res.statusCode = 500; res.end('no'); }
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    got.push({ headers: req.headers, body: Buffer.concat(chunks), url: req.url, early: n <= 3 });
    if (!res.writableEnded) { res.statusCode = 200; res.end('ok'); }
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const { login, token } = createUserWithToken();
const repo = createRepo(login);
for (const ct of ['json', 'form'])
  deployctl('hook', 'create', repo.fullName, '--url', `http://127.0.0.1:${port}/${ct}`, '--secret', SECRET, '--events', '*', '--content-type', ct);
const disp = spawn(`${DEPLOY_BIN}/deploy-dispatch`, ['--db', DEPLOY_DB, '--schedule', '0,0.2'], { stdio: ['ignore', 'ignore', 'inherit'] });
const gh = octokit(token);
const sha = '3f786850e387550fdab836ed7e6dc881de23001b';
let calls = 0;
const states = ['queued', 'in_progress', 'success', 'failure', 'error', 'pending', 'inactive'];
for (const h of (await gh.rest.repos.listWebhooks(repo)).data) { await gh.rest.repos.pingWebhook({ ...repo, hook_id: h.id }); calls++; }
await Promise.all([...Array(8).keys()].map(async (k) => {
  const d = await gh.rest.repos.createDeployment({ ...repo, ref: sha, environment: `p${k}`, payload: 'str\u00e9' + 'x'.repeat(k * 9000), required_contexts: [] });
  for (const s of ['queued', 'in_progress', 'success']) await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: d.data.id, state: s, environment: `q${k % 2}` });
}));
for (let i = 0; i < 25; i++) {
  const d = await gh.rest.repos.createDeployment({ ...repo, ref: sha, environment: `env${i % 3}`, payload: { i, text: 'héllo wörld ✓ '.repeat(i * 150) }, description: 'd'.repeat(i), required_contexts: [] }); calls++;
  for (const s of states.slice(0, 5)) {
    await gh.rest.repos.createDeploymentStatus({ ...repo, deployment_id: d.data.id, state: s, description: `s ${s} ✓`, log_url: 'https://example.com/x?a=1&b=2' }); calls++;
  }
}
await new Promise((r) => setTimeout(r, 4000));
const hooks = (await gh.rest.repos.listWebhooks(repo)).data;
for (const h of hooks) {
  const dl = (await gh.rest.repos.listWebhookDeliveries({ ...repo, hook_id: h.id, per_page: 100 })).data;
  for (const x of dl.slice(-5)) { await gh.rest.repos.redeliverWebhookDelivery({ ...repo, hook_id: h.id, delivery_id: x.id }); calls++; }
}
await new Promise((r) => setTimeout(r, 3000));
disp.kill('SIGTERM');
let bad = 0;
for (const g of got) {
  const payload = g.body.toString('utf8');
  const ok = await verify(SECRET, payload, g.headers['x-hub-signature-256']);
  if (!ok) { bad++; console.log('BAD', g.url, g.headers['x-github-event'], g.headers['x-github-delivery'], g.body.length, g.headers['content-length']); }
}
console.log(`calls ${calls} deliveries ${got.length} bad ${bad}`);
server.close();
process.exit(0);
