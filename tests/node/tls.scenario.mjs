// HTTPS end to end (tls.sh runs it on a stack whose nginx serves TLS and
// whose deploy-api has no --base-url): curl and octokit over TLS, every URL
// rendered (bodies, Location, Link, webhook payloads) https on the stack's
// own name and port, and webhooks to an HTTPS receiver whose certificate
// comes from a CA the dispatcher does not know: with insecure_ssl "0" each
// attempt fails and is retried, with "1" it is delivered, and a dispatcher
// given that CA (--ca-file) delivers the "0" hook's delivery too.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
	API_URL, DEPLOY_BIN, DEPLOY_DB, DEPLOY_URL, createRepo, createUserWithToken, octokit, psql,
} from './helpers.mjs';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const CA = process.env.DEPLOY_CA;
const RECEIVER_TLS = process.env.RECEIVER_TLS;
// Retries every 0.2 s, so failed attempts add up within a second.
const DISPATCH_ARGS = ['--db', DEPLOY_DB, '--hook-allowed-hosts', 'loopback', '--schedule', '0,0.2',
	'--max-attempts', '1000', '--poll-ms', '25'];

// Every request the receiver got: { path, body (parsed JSON) }.
const received = [];
let receiver;
let dispatcher;

function startReceiver() {
	const server = https.createServer({
		cert: readFileSync(path.join(RECEIVER_TLS, 'server.pem')),
		key: readFileSync(path.join(RECEIVER_TLS, 'server.key')),
	}, (req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ path: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			res.end('ok');
		});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function startDispatcher(extra = []) {
	return spawn(`${DEPLOY_BIN}/deploy-dispatch`, [...DISPATCH_ARGS, ...extra],
	    { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stopDispatcher(child) {
	if (child.exitCode !== null)
		return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	await exited;
}

// curl over TLS, verified against the stack's CA: { status, headers, body, version }.
function curl(method, url, token, body) {
	const args = ['-sS', '--cacert', CA, '-X', method, '-D', '-', '-w', '\n%{http_version}',
		'-H', `Authorization: token ${token}`, '-H', 'Accept: application/vnd.github+json'];
	if (body !== undefined)
		args.push('-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body));
	const out = execFileSync('curl', [...args, url], { encoding: 'utf8', timeout: 30_000 });
	const split = out.indexOf('\r\n\r\n');
	const head = out.slice(0, split).split('\r\n');
	const rest = out.slice(split + 4);
	const nl = rest.lastIndexOf('\n');
	const headers = {};
	for (const line of head.slice(1)) {
		const colon = line.indexOf(':');
		headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
	}
	return { status: Number(head[0].split(' ')[1]), headers, body: rest.slice(0, nl), version: rest.slice(nl + 1) };
}

// Every string under value that is an HTTP URL (git_url, ssh_url are not).
function urlsIn(value, out = []) {
	if (typeof value === 'string' && /^https?:\/\//.test(value))
		out.push(value);
	else if (value && typeof value === 'object')
		for (const v of Object.values(value))
			urlsIn(v, out);
	return out;
}

// URLs of the stack itself are https on its own name; others (log_url,
// environment_url, hook config urls) are what clients gave.
function assertOwnUrlsHttps(value, what) {
	const own = urlsIn(value).filter((u) => u.includes('localhost') || u.includes('127.0.0.1:' + new URL(DEPLOY_URL).port));
	assert.ok(own.length > 0, `${what}: no URL of the stack`);
	for (const u of own)
		assert.ok(u.startsWith(`${DEPLOY_URL}/`), `${what}: ${u} does not start with ${DEPLOY_URL}/`);
}

async function waitFor(what, check, ms = 30_000) {
	for (let waited = 0; waited < ms; waited += 50) {
		if (check())
			return;
		await sleep(50);
	}
	assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
	assert.ok(CA && RECEIVER_TLS, 'DEPLOY_CA and RECEIVER_TLS must be set (tls.sh)');
	assert.ok(DEPLOY_URL.startsWith('https://localhost:'), `DEPLOY_URL is ${DEPLOY_URL}`);
	receiver = await startReceiver();
});

after(async () => {
	if (dispatcher)
		await stopDispatcher(dispatcher);
	receiver?.close();
});

describe('HTTPS', () => {
	it('curl: TLS 1.2 and 1.3 with HTTP/2, older protocols refused, Location, Link and bodies https', () => {
		const owner = createUserWithToken({ prefix: 'tls' });
		const repo = createRepo(owner.login);
		const base = `${API_URL}/repos/${repo.fullName}`;
		const created = [];
		for (let i = 0; i < 3; i++) {
			const res = curl('POST', `${base}/deployments`, owner.token, { ref: SHA, required_contexts: [], environment: `e${i}` });
			assert.equal(res.status, 201, res.body);
			assert.equal(res.version, '2');
			const body = JSON.parse(res.body);
			assert.equal(res.headers.location, `${base}/deployments/${body.id}`);
			assertOwnUrlsHttps(body, 'a created deployment');
			created.push(body);
		}
		const page = curl('GET', `${base}/deployments?per_page=1`, owner.token);
		assert.equal(page.status, 200);
		const links = [...page.headers.link.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
		assert.ok(links.length >= 2, page.headers.link);
		for (const link of links)
			assert.ok(link.startsWith(`${base}/deployments?`), link);
		const status = curl('POST', `${base}/deployments/${created[0].id}/statuses`, owner.token, { state: 'success' });
		assert.equal(status.status, 201);
		assert.ok(status.headers.location.startsWith(`${base}/deployments/${created[0].id}/statuses/`));
		assertOwnUrlsHttps(JSON.parse(status.body), 'a created status');

		for (const tls of ['1.2', '1.3'])
			execFileSync('curl', ['-sS', '--cacert', CA, '-o', '/dev/null', `--tlsv${tls}`, '--tls-max', tls, `${DEPLOY_URL}/healthz`]);
		assert.throws(() => execFileSync('curl', ['-sS', '--cacert', CA, '-o', '/dev/null', '--tlsv1.1', '--tls-max', '1.1',
			`${DEPLOY_URL}/healthz`], { stdio: 'ignore' }), 'TLS 1.1 was accepted');
		// And the certificate is verified: without the CA, curl refuses it.
		assert.throws(() => execFileSync('curl', ['-sS', '-o', '/dev/null', `${DEPLOY_URL}/healthz`], { stdio: 'ignore' }));
	});

	it('octokit (NODE_EXTRA_CA_CERTS): requests, pagination over Link, https URLs', async () => {
		const owner = createUserWithToken({ prefix: 'tls' });
		const repo = createRepo(owner.login);
		const client = octokit(owner.token);
		for (let i = 0; i < 3; i++)
			await client.repos.createDeployment({ ...repo, ref: SHA, required_contexts: [], environment: `e${i}` });
		const all = await client.paginate(client.repos.listDeployments, { ...repo, per_page: 1 });
		assert.equal(all.length, 3);
		for (const d of all)
			assertOwnUrlsHttps(d, `deployment ${d.id}`);
		const { data: got } = await client.repos.get(repo);
		assertOwnUrlsHttps(got, 'the repository');
	});

	it('webhooks to an HTTPS receiver: verified unless insecure_ssl is "1", a private CA through --ca-file', async () => {
		const owner = createUserWithToken({ prefix: 'tls' });
		const repo = createRepo(owner.login);
		const client = octokit(owner.token);
		const base = `https://127.0.0.1:${receiver.address().port}`;
		const verified = (await client.repos.createWebhook({
			...repo, events: ['deployment'], config: { url: `${base}/verified`, content_type: 'json', insecure_ssl: '0' },
		})).data;
		const insecure = (await client.repos.createWebhook({
			...repo, events: ['deployment'], config: { url: `${base}/insecure`, content_type: 'json', insecure_ssl: '1' },
		})).data;
		assert.equal(verified.config.insecure_ssl, '0');
		assert.equal(insecure.config.insecure_ssl, '1');

		dispatcher = startDispatcher();
		const { data: deployment } = await client.repos.createDeployment({ ...repo, ref: SHA, required_contexts: [] });
		const row = (hookId) => psql(`SELECT status, attempts FROM deliveries WHERE hook_id = ${hookId} AND event = 'deployment'`);
		await waitFor('the insecure hook delivered', () => row(insecure.id) === 'delivered|1');
		await waitFor('three failed attempts on the verified hook', () => {
			const [status, attempts] = row(verified.id).split('|');
			return status === 'pending' && Number(attempts) >= 3;
		});
		const errors = psql(`SELECT DISTINCT a.error FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id = ${verified.id}`);
		assert.match(errors, /certificate|SSL/i, `attempt errors: ${errors}`);
		assert.deepEqual(received.map((r) => r.path), ['/insecure'], 'the receiver got a request it should not have');

		// The same delivery, retried by a dispatcher that trusts the receiver's CA.
		await stopDispatcher(dispatcher);
		dispatcher = startDispatcher(['--ca-file', path.join(RECEIVER_TLS, 'ca.pem')]);
		await waitFor('the verified hook delivered', () => row(verified.id).startsWith('delivered|'));
		assert.deepEqual(received.map((r) => r.path).sort(), ['/insecure', '/verified']);
		for (const r of received) {
			assert.equal(r.body.deployment.id, deployment.id);
			assertOwnUrlsHttps(r.body.deployment, `the payload sent to ${r.path}`);
			assertOwnUrlsHttps(r.body.repository, `the payload sent to ${r.path}`);
		}
	});
});
