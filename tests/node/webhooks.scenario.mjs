// The longest webhook scenario, end to end: octokit drives the API, a real
// deploy-dispatch delivers to a receiver on loopback that answers its first
// three requests with 500, and every request the receiver got (first
// attempts, retries and redeliveries, json and form hooks, bodies under and
// over libcurl's 64 KiB upload buffer, multi-byte characters) is verified
// with GitHub's own verifier, @octokit/webhooks-methods, over the raw bytes
// received. Redeliveries are checked through octokit against GitHub's
// OpenAPI description: a new delivery under the original's guid, listed
// first, with its own delivered_at, status_code and duration.
//
// It runs on a stack of its own (webhooks.sh): the other client tests need
// deliveries and outbox rows to stay where the API put them.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { verify } from '@octokit/webhooks-methods';

import {
	DEPLOY_BIN, DEPLOY_DB, assertValidResponse, assertValidWebhook, createRepo,
	createUserWithToken, octokit, psql,
} from './helpers.mjs';

const DELIVERIES = '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries';
const SECRET = 'scenario-s3cret-ünïcode';
const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const FAILING_FIRST = 3;
// Retries come quickly, so the 500s cost the scenario a second, not minutes.
// The receiver is on loopback: allowed as the test stack allows it (run-with-stack.sh).
const DISPATCH_ARGS = ['--schedule', '0,0.2,0.2,0.2', '--poll-ms', '25',
	'--hook-allowed-hosts', process.env.DEPLOY_HOOK_ALLOWED_HOSTS ?? 'external,loopback'];

// Every request the receiver got: { path, headers, body (Buffer), status }.
const received = [];
let receiver;
let dispatcher;

function startReceiver() {
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const status = received.length < FAILING_FIRST ? 500 : 200;
			received.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks), status });
			res.writeHead(status, { 'Content-Type': 'text/plain' });
			res.end(status === 200 ? 'ok' : 'not yet');
		});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Until no delivery of these hooks is pending and the receiver has one
// request per recorded attempt.
async function settled(hookIds) {
	const ids = hookIds.join(',');
	for (let waited = 0; waited < 60_000; waited += 100) {
		const [pending, attempts] = psql(`SELECT (SELECT count(*) FROM deliveries WHERE hook_id IN (${ids}) AND status = 'pending'),` +
		    ` (SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id IN (${ids}))`)
		    .split('|').map(Number);
		if (pending === 0 && attempts === received.length)
			return;
		await sleep(100);
	}
	assert.fail(`deliveries did not settle: ${psql(`SELECT status, count(*) FROM deliveries WHERE hook_id IN (${ids}) GROUP BY 1`)}`);
}

before(async () => {
	receiver = await startReceiver();
	dispatcher = spawn(`${DEPLOY_BIN}/deploy-dispatch`, ['--db', DEPLOY_DB, ...DISPATCH_ARGS],
	    { stdio: ['ignore', 'ignore', 'inherit'] });
});

after(async () => {
	dispatcher?.kill('SIGTERM');
	receiver?.close();
});

describe('webhook deliveries, verified with @octokit/webhooks-methods', () => {
	it('every attempt of every delivery verifies, retries and redeliveries included', async () => {
		const owner = createUserWithToken({ prefix: 'wh' });
		const repo = createRepo(owner.login);
		const client = octokit(owner.token);
		const base = `http://127.0.0.1:${receiver.address().port}`;
		const hooks = [];
		for (const contentType of ['json', 'form']) {
			const res = await client.repos.createWebhook({
				...repo, events: ['*'],
				config: { url: `${base}/${contentType}`, content_type: contentType, secret: SECRET },
			});
			hooks.push(res.data);
			await client.repos.pingWebhook({ ...repo, hook_id: res.data.id });
		}

		// Deployments and statuses; payloads with multi-byte characters, the
		// largest (near the 64 KiB limit) making bodies over libcurl's upload
		// buffer, so they reach the receiver in several reads.
		for (let i = 0; i < 12; i++) {
			const text = i === 11 ? 'é✓'.repeat(12_000) : `déploiement ${i} ✓ ${'x'.repeat(i * 500)}`;
			const d = await client.repos.createDeployment({
				...repo, ref: SHA, environment: `env-${i % 3}`, required_contexts: [],
				payload: { i, text }, description: `ünïcode ${i}`,
			});
			for (const state of ['queued', 'in_progress', i % 4 === 0 ? 'failure' : 'success'])
				await client.repos.createDeploymentStatus({
					...repo, deployment_id: d.data.id, state, description: `${state} ✓`,
					log_url: `https://ci.example.com/${i}?s=${state}&t=%C3%A9`, environment_url: 'https://app.example.com/',
				});
		}
		await client.repos.createDispatchEvent({ ...repo, event_type: 'scenario', client_payload: { note: 'ünïcode' } });
		await settled(hooks.map((h) => h.id));

		// Redeliver the deliveries the receiver first answered 500 to (delivered
		// since, by a retry) and the oldest of each hook.
		const failedFirst = received.slice(0, FAILING_FIRST).map((r) => r.headers['x-github-delivery']);
		const replayed = [];
		for (const h of hooks) {
			const list = await client.paginate(client.repos.listWebhookDeliveries, { ...repo, hook_id: h.id, per_page: 100 });
			const chosen = list.filter((d, n) => failedFirst.includes(d.guid) || n === list.length - 1);
			for (const d of chosen) {
				const res = await client.repos.redeliverWebhookDelivery({ ...repo, hook_id: h.id, delivery_id: d.id });
				assert.equal(res.status, 202);
				replayed.push({ hook: h, original: d });
			}
		}
		assert.ok(replayed.length >= 2);
		await settled(hooks.map((h) => h.id));

		// Every request verifies with the hook's secret over the raw body.
		const statusEvents = received.filter((r) => r.headers['x-github-event'] === 'deployment_status').length;
		assert.ok(statusEvents >= 72, `${statusEvents} deployment_status requests`);
		assert.ok(received.some((r) => r.body.length > 65_536), 'no body over 64 KiB');
		for (const r of received) {
			const what = `${r.path} ${r.headers['x-github-event']} ${r.headers['x-github-delivery']} (${r.body.length} bytes)`;
			const signature = r.headers['x-hub-signature-256'];
			assert.ok(signature, `${what}: no X-Hub-Signature-256`);
			assert.equal(Number(r.headers['content-length']), r.body.length, `${what}: Content-Length`);
			assert.ok(await verify(SECRET, r.body.toString('utf8'), signature), `${what}: signature does not verify`);
			const payload = r.path === '/form'
				? JSON.parse(new URLSearchParams(r.body.toString('utf8')).get('payload'))
				: JSON.parse(r.body.toString('utf8'));
			if (r.headers['x-github-event'] === 'deployment_status')
				assertValidWebhook('deployment-status-created', payload);
		}

		// Retries of the first three kept their guid and were delivered.
		for (const guid of failedFirst) {
			const attempts = received.filter((r) => r.headers['x-github-delivery'] === guid);
			assert.deepEqual(attempts.slice(0, 2).map((r) => r.status), [500, 200], `attempts of ${guid}`);
		}

		// A redelivery is a delivery of its own, listed first, under the guid.
		for (const { hook, original } of replayed) {
			const list = (await client.repos.listWebhookDeliveries({ ...repo, hook_id: hook.id, per_page: 100 })).data;
			assertValidResponse(DELIVERIES, 'get', 200, list);
			const copies = list.filter((d) => d.guid === original.guid);
			const again = copies.find((d) => d.redelivery);
			const first = copies.find((d) => !d.redelivery);
			assert.ok(again, `no redelivery of ${original.guid}`);
			assert.ok(again.id > first.id);
			assert.ok(list.indexOf(again) < list.indexOf(first), 'the redelivery is not listed before the original');
			assert.equal(again.status_code, 200);
			assert.equal(again.status, 'OK');
			assert.ok(again.duration > 0);
			assert.ok(Date.parse(again.delivered_at) >= Date.parse(first.delivered_at));
			assert.deepEqual(first, original, 'the original delivery changed');
			const sent = received.filter((r) => r.headers['x-github-delivery'] === original.guid && r.path === `/${hook.config.content_type}`);
			assert.ok(sent.length >= 2, `${original.guid} was not sent again`);
			assert.deepEqual(sent.at(-1).body, sent.at(-2).body);
		}
	});
});
