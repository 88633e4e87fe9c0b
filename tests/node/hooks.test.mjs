// Client compatibility of the repository webhooks and repository dispatch
// endpoints: octokit's own methods (repos.createWebhook, listWebhooks,
// getWebhook, updateWebhook, deleteWebhook, pingWebhook,
// listWebhookDeliveries, getWebhookDelivery, redeliverWebhookDelivery,
// createDispatchEvent), unchanged, against the stack; every response body
// checked against GitHub's OpenAPI description, the ping delivery's payload
// against the 'ping' webhook and the repository_dispatch event written to
// the outbox against 'repository-dispatch-sample.collected'. No dispatcher
// runs: deliveries stay pending and outbox rows stay where the API put them.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
	API_URL, addCollaborator, assertRequestError, assertValid, assertValidAgainst,
	assertValidResponse, assertValidWebhook, createRepo, createUserWithToken, deployctl,
	octokit, outboxEvents, psql, webhookSchema,
} from './helpers.mjs';

const HOOKS = '/repos/{owner}/{repo}/hooks';
const HOOK = '/repos/{owner}/{repo}/hooks/{hook_id}';
const PINGS = '/repos/{owner}/{repo}/hooks/{hook_id}/pings';
const DELIVERIES = '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries';
const DELIVERY = '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}';
const ATTEMPTS = '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts';
const DISPATCHES = '/repos/{owner}/{repo}/dispatches';
const DISPATCH_WEBHOOK = 'repository-dispatch-sample.collected';
const HOOK_URL = 'https://hooks.example.com/receive';
const SECRET = 'n0de-s3cret-never-shown';
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function repoId({ fullName }) {
	const [owner, name] = fullName.split('/');
	const id = Number(psql(`SELECT r.id FROM repositories r JOIN users o ON o.id = r.owner_id WHERE o.login = '${owner}' AND r.name = '${name}'`));
	assert.ok(Number.isSafeInteger(id) && id > 0);
	return id;
}

function count(sql) {
	return Number(psql(sql));
}

// The repository_dispatch events of a repository, oldest first.
function dispatchEvents(repo) {
	return outboxEvents(`event = 'repository_dispatch' AND repository_id = ${repoId(repo)}`);
}

// Nothing of the secret may come back, in any body.
function noSecret(body) {
	assert.ok(!JSON.stringify(body ?? null).includes(SECRET), 'the secret came back');
}

// ---------------------------------------------------------------------------
// The repository_dispatch payload, with `installation` not required.
//
// GitHub's webhook description requires `installation` in every
// repository_dispatch payload, but only GitHub Apps receive it; this server
// sends repository webhooks, so it leaves it out on purpose
// (docs/architecture.md, "Webhooks (API side)"). The payload is validated
// against a copy of the schema with that one requirement removed (through
// helpers' assertValidAgainst, as assertValidWebhook checks the original),
// and the test asserts separately that
// the full schema rejects it for `installation` and for nothing else, and
// that every other required member is present.

let relaxedDispatch;

// The schema with installation no longer required (its required list
// tells what it still requires).
function dispatchSchemaWithoutInstallation() {
	if (relaxedDispatch)
		return relaxedDispatch;
	const copy = webhookSchema(DISPATCH_WEBHOOK);
	assert.ok(copy.required.includes('installation'), 'GitHub\'s schema no longer requires installation: drop the relaxation');
	copy.required = copy.required.filter((name) => name !== 'installation');
	relaxedDispatch = copy;
	return relaxedDispatch;
}

function assertValidDispatchPayload(payload) {
	const { required } = dispatchSchemaWithoutInstallation();
	assertValidAgainst(`${DISPATCH_WEBHOOK} without installation`, dispatchSchemaWithoutInstallation,
	    payload, `'${DISPATCH_WEBHOOK}' (installation not required)`);
	// Everything else the schema requires is there; installation is not.
	assert.deepEqual([...required].sort(), ['action', 'branch', 'client_payload', 'repository', 'sender']);
	for (const name of required)
		assert.ok(name in payload, `${name} is missing`);
	assert.ok(!('installation' in payload), 'installation is sent');
	// The full schema rejects the payload for installation alone.
	assert.throws(() => assertValidWebhook(DISPATCH_WEBHOOK, payload), (err) => {
		const lines = err.message.split('\n').filter((l) => l.startsWith('  payload'));
		assert.ok(lines.length > 0, err.message);
		for (const line of lines)
			assert.match(line, /installation/, `another failure than installation: ${line}`);
		return true;
	});
	// And with a placeholder installation it passes as it is.
	assertValidWebhook(DISPATCH_WEBHOOK, { ...payload, installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' } });
}

// ---------------------------------------------------------------------------

let owner;   // owns the repositories, token with scope repo
let pusher;  // push collaborator on pub and priv
let reader;  // pull collaborator on pub and priv
let pub;     // public, default branch trunk
let priv;    // private

before(() => {
	owner = createUserWithToken({ prefix: 'owner' });
	pusher = createUserWithToken({ prefix: 'pusher' });
	reader = createUserWithToken({ prefix: 'reader' });
	pub = createRepo(owner.login, undefined, { defaultBranch: 'trunk' });
	priv = createRepo(owner.login, undefined, { private: true });
	for (const repo of [pub, priv]) {
		addCollaborator(repo, pusher.login, 'push');
		addCollaborator(repo, reader.login, 'pull');
	}
});

async function newHook(repo, fields = {}) {
	const res = await octokit(owner.token).repos.createWebhook({ ...repo, config: { url: HOOK_URL }, ...fields });
	assert.equal(res.status, 201);
	assertValidResponse(HOOKS, 'post', 201, res.data);
	return res.data;
}

describe('repos.createWebhook', () => {
	it('creates with GitHub\'s defaults', async () => {
		const res = await octokit(owner.token).repos.createWebhook({ ...pub, config: { url: HOOK_URL } });
		assert.equal(res.status, 201);
		assertValidResponse(HOOKS, 'post', 201, res.data);
		assertValid('hook', res.data);
		const h = res.data;
		assert.equal(h.url, `${API_URL}/repos/${pub.fullName}/hooks/${h.id}`);
		assert.equal(res.headers.location, h.url);
		assert.equal(h.type, 'Repository');
		assert.equal(h.name, 'web');
		assert.equal(h.active, true);
		assert.deepEqual(h.events, ['push']);
		assert.deepEqual(h.config, { content_type: 'form', insecure_ssl: '0', url: HOOK_URL });
		assert.equal(h.test_url, `${h.url}/test`);
		assert.equal(h.ping_url, `${h.url}/pings`);
		assert.equal(h.deliveries_url, `${h.url}/deliveries`);
		assert.deepEqual(h.last_response, { code: null, status: 'unused', message: null });
		assert.match(h.created_at, ISO_SECONDS);
		assert.match(h.updated_at, ISO_SECONDS);
	});

	it('takes every field octokit sends; the secret is write-only', async () => {
		const res = await octokit(owner.token).repos.createWebhook({
			...pub,
			name: 'web',
			active: false,
			events: ['deployment', 'deployment_status', 'repository_dispatch'],
			config: { url: HOOK_URL, content_type: 'json', secret: SECRET, insecure_ssl: '1' },
		});
		assertValidResponse(HOOKS, 'post', 201, res.data);
		noSecret(res.data);
		assert.equal(res.data.active, false);
		assert.deepEqual(res.data.events, ['deployment', 'deployment_status', 'repository_dispatch']);
		assert.deepEqual(res.data.config, { content_type: 'json', insecure_ssl: '1', url: HOOK_URL, secret: '********' });
		assert.equal(psql(`SELECT secret FROM hooks WHERE id = ${res.data.id}`), SECRET);
	});

	it('answers 422 as GitHub documents it, and writes nothing', async () => {
		const repo = createRepo(owner.login);
		const bad = [
			{},
			{ config: {} },
			{ config: { url: 'ftp://example.com/h' } },
			{ config: { url: 'javascript:alert(1)' } },
			{ config: { url: HOOK_URL, content_type: 'xml' } },
			{ config: { url: HOOK_URL }, events: ['push', 'no_such_event'] },
			{ config: { url: HOOK_URL }, events: 'push' },
			{ config: { url: HOOK_URL }, name: 'email' },
		];
		for (const fields of bad) {
			const err = await assertRequestError(octokit(owner.token).repos.createWebhook({ ...repo, ...fields }),
			    422, 'Validation Failed');
			assertValidResponse(HOOKS, 'post', 422, err.response.data);
			assert.ok(err.response.data.errors.length > 0, JSON.stringify(fields));
			assert.equal(err.response.data.errors[0].resource, 'Hook');
		}
		assert.equal(count(`SELECT count(*) FROM hooks WHERE repository_id = ${repoId(repo)}`), 0);
	});

	it('needs admin rights: 403 for a push collaborator, 401 anonymous', async () => {
		const err = await assertRequestError(octokit(pusher.token).repos.createWebhook({ ...pub, config: { url: HOOK_URL } }),
		    403, 'Must have admin rights to Repository.');
		assertValidResponse(HOOKS, 'post', 403, err.response.data);
		const list = await assertRequestError(octokit(pusher.token).repos.listWebhooks({ ...priv }),
		    403, 'Must have admin rights to Repository.');
		assertValid('basic-error', list.response.data);
		await assertRequestError(octokit().repos.listWebhooks({ ...pub }), 401);
		const hidden = await assertRequestError(octokit().repos.listWebhooks({ ...priv }), 404, 'Not Found');
		assertValidResponse(HOOKS, 'get', 404, hidden.response.data);
	});
});

describe('repos.listWebhooks, getWebhook', () => {
	it('lists and gets; other repositories\' hooks are 404', async () => {
		const repo = createRepo(owner.login);
		const empty = await octokit(owner.token).repos.listWebhooks({ ...repo });
		assertValidResponse(HOOKS, 'get', 200, empty.data);
		assert.deepEqual(empty.data, []);

		const made = [];
		for (let i = 0; i < 3; i++)
			made.push(await newHook(repo, { events: ['deployment'] }));
		const list = await octokit(owner.token).repos.listWebhooks({ ...repo });
		assertValidResponse(HOOKS, 'get', 200, list.data);
		assert.deepEqual(list.data.map((h) => h.id).sort((a, b) => a - b), made.map((h) => h.id).sort((a, b) => a - b));

		const client = octokit(owner.token);
		const all = await client.paginate(client.repos.listWebhooks, { ...repo, per_page: 2 });
		assert.equal(all.length, 3);

		const one = await octokit(owner.token).repos.getWebhook({ ...repo, hook_id: made[1].id });
		assertValidResponse(HOOK, 'get', 200, one.data);
		assert.deepEqual(one.data, made[1]);

		const other = await assertRequestError(octokit(owner.token).repos.getWebhook({ ...pub, hook_id: made[0].id }), 404, 'Not Found');
		assertValidResponse(HOOK, 'get', 404, other.response.data);
	});
});

describe('repos.updateWebhook', () => {
	it('changes config fields, events (replace, add, remove) and active', async () => {
		const h = await newHook(pub);
		const client = octokit(owner.token);

		let res = await client.repos.updateWebhook({
			...pub, hook_id: h.id,
			config: { url: 'http://new.example.com/x', content_type: 'json', secret: SECRET, insecure_ssl: '1' },
		});
		assertValidResponse(HOOK, 'patch', 200, res.data);
		noSecret(res.data);
		assert.deepEqual(res.data.config, { content_type: 'json', insecure_ssl: '1', url: 'http://new.example.com/x', secret: '********' });

		res = await client.repos.updateWebhook({ ...pub, hook_id: h.id, events: ['deployment'] });
		assertValidResponse(HOOK, 'patch', 200, res.data);
		assert.deepEqual(res.data.events, ['deployment']);

		res = await client.repos.updateWebhook({ ...pub, hook_id: h.id, add_events: ['deployment_status', 'deployment'] });
		assertValidResponse(HOOK, 'patch', 200, res.data);
		assert.deepEqual(res.data.events, ['deployment', 'deployment_status']);

		res = await client.repos.updateWebhook({ ...pub, hook_id: h.id, remove_events: ['deployment'] });
		assertValidResponse(HOOK, 'patch', 200, res.data);
		assert.deepEqual(res.data.events, ['deployment_status']);

		res = await client.repos.updateWebhook({ ...pub, hook_id: h.id, active: false });
		assertValidResponse(HOOK, 'patch', 200, res.data);
		assert.equal(res.data.active, false);
		assert.deepEqual(res.data.events, ['deployment_status']);
		assert.equal(res.data.config.url, 'http://new.example.com/x');

		const got = await client.repos.getWebhook({ ...pub, hook_id: h.id });
		assert.deepEqual(got.data, res.data);

		const err = await assertRequestError(client.repos.updateWebhook({ ...pub, hook_id: h.id, events: ['nope'] }), 422, 'Validation Failed');
		assertValidResponse(HOOK, 'patch', 422, err.response.data);
		const missing = await assertRequestError(client.repos.updateWebhook({ ...pub, hook_id: h.id + 1_000_000, active: true }), 404, 'Not Found');
		assertValidResponse(HOOK, 'patch', 404, missing.response.data);
		assert.deepEqual((await client.repos.getWebhook({ ...pub, hook_id: h.id })).data, res.data);
	});

	// GitHub's reference for this operation: "If you previously had a secret
	// set, you must provide the same secret or set a new secret or the secret
	// will be removed."
	it('removes the secret when config comes without one', async () => {
		const h = await newHook(pub, { config: { url: HOOK_URL, secret: SECRET } });
		assert.equal(h.config.secret, '********');
		const res = await octokit(owner.token).repos.updateWebhook({
			...pub, hook_id: h.id, config: { url: HOOK_URL, content_type: 'json' },
		});
		assertValidResponse(HOOK, 'patch', 200, res.data);
		assert.equal(res.data.config.content_type, 'json');
		assert.ok(!('secret' in res.data.config), 'the secret is still set');
	});
});

describe('repos.deleteWebhook', () => {
	it('deletes (204), then 404', async () => {
		const h = await newHook(pub);
		const client = octokit(owner.token);
		const res = await client.repos.deleteWebhook({ ...pub, hook_id: h.id });
		assert.equal(res.status, 204);
		assertValidResponse(HOOK, 'delete', 204, res.data);
		const again = await assertRequestError(client.repos.deleteWebhook({ ...pub, hook_id: h.id }), 404, 'Not Found');
		assertValidResponse(HOOK, 'delete', 404, again.response.data);
		const get = await assertRequestError(client.repos.getWebhook({ ...pub, hook_id: h.id }), 404, 'Not Found');
		assertValidResponse(HOOK, 'get', 404, get.response.data);
	});
});

describe('pings and deliveries', () => {
	it('repos.pingWebhook queues a ping; its delivery carries the ping payload', async () => {
		const h = await newHook(pub, {
			events: ['deployment'],
			config: { url: HOOK_URL, content_type: 'json', secret: SECRET },
		});
		const client = octokit(owner.token);
		const ping = await client.repos.pingWebhook({ ...pub, hook_id: h.id });
		assert.equal(ping.status, 204);
		assertValidResponse(PINGS, 'post', 204, ping.data);

		const list = await client.repos.listWebhookDeliveries({ ...pub, hook_id: h.id });
		assertValidResponse(DELIVERIES, 'get', 200, list.data);
		assert.equal(list.data.length, 1);
		const item = list.data[0];
		assert.equal(item.event, 'ping');
		assert.equal(item.action, null);
		assert.equal(item.redelivery, false);
		assert.equal(item.status, 'Pending');
		assert.equal(item.status_code, 0);
		assert.equal(item.repository_id, repoId(pub));
		assert.match(item.guid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
		assert.equal(psql(`SELECT status FROM deliveries WHERE id = ${item.id}`), 'pending');

		const detail = await client.repos.getWebhookDelivery({ ...pub, hook_id: h.id, delivery_id: item.id });
		assertValidResponse(DELIVERY, 'get', 200, detail.data);
		noSecret(detail.data);
		assert.equal(detail.data.guid, item.guid);
		const payload = detail.data.request.payload;
		assertValidWebhook('ping', payload);
		assert.equal(typeof payload.zen, 'string');
		assert.ok(payload.zen.length > 0);
		assert.equal(payload.hook_id, h.id);
		assert.equal(payload.hook.id, h.id);
		assert.deepEqual(payload.hook.events, ['deployment']);
		assert.deepEqual(payload.hook.config, { content_type: 'json', insecure_ssl: '0', url: HOOK_URL, secret: '********' });
		assert.equal(payload.repository.full_name, pub.fullName);
		assert.equal(payload.sender.login, owner.login);

		const missing = await assertRequestError(client.repos.pingWebhook({ ...pub, hook_id: h.id + 1_000_000 }), 404, 'Not Found');
		assertValidResponse(PINGS, 'post', 404, missing.response.data);
	});

	it('repos.redeliverWebhookDelivery: 202, a new delivery under the same guid, listed first', async () => {
		const h = await newHook(pub);
		const client = octokit(owner.token);
		await client.repos.pingWebhook({ ...pub, hook_id: h.id });
		const [item] = (await client.repos.listWebhookDeliveries({ ...pub, hook_id: h.id })).data;
		psql(`UPDATE deliveries SET status = 'delivered', delivered_at = now() - interval '1 minute', status_code = 200, duration_ms = 5 WHERE id = ${item.id}`);
		const delivered = await client.repos.getWebhookDelivery({ ...pub, hook_id: h.id, delivery_id: item.id });
		assertValidResponse(DELIVERY, 'get', 200, delivered.data);
		assert.equal(delivered.data.status_code, 200);
		assert.equal(delivered.data.redelivery, false);

		const res = await client.repos.redeliverWebhookDelivery({ ...pub, hook_id: h.id, delivery_id: item.id });
		assert.equal(res.status, 202);
		assertValidResponse(ATTEMPTS, 'post', 202, res.data);
		const list = await client.repos.listWebhookDeliveries({ ...pub, hook_id: h.id });
		assertValidResponse(DELIVERIES, 'get', 200, list.data);
		assert.equal(list.data.length, 2);
		const [again, original] = list.data;
		assert.ok(again.id > item.id, `the redelivery's id ${again.id} is not new`);
		assert.equal(again.guid, item.guid);
		assert.equal(again.redelivery, true);
		assert.equal(again.status, 'Pending');
		assert.equal(again.status_code, 0);
		assert.equal(original.id, item.id);
		assert.equal(original.redelivery, false);
		assert.equal(original.status_code, 200);
		assert.equal(original.delivered_at, delivered.data.delivered_at);
		const detail = await client.repos.getWebhookDelivery({ ...pub, hook_id: h.id, delivery_id: again.id });
		assertValidResponse(DELIVERY, 'get', 200, detail.data);
		assert.equal(detail.data.guid, item.guid);
		assert.equal(detail.data.redelivery, true);
		assert.deepEqual(detail.data.request.payload, delivered.data.request.payload);
		// The original is untouched.
		assert.deepEqual((await client.repos.getWebhookDelivery({ ...pub, hook_id: h.id, delivery_id: item.id })).data, delivered.data);

		// Another hook's delivery is not this hook's.
		const other = await newHook(pub);
		await assertRequestError(client.repos.getWebhookDelivery({ ...pub, hook_id: other.id, delivery_id: item.id }), 404, 'Not Found');
		await assertRequestError(client.repos.redeliverWebhookDelivery({ ...pub, hook_id: other.id, delivery_id: item.id }), 404, 'Not Found');
	});

	it('repos.testPushWebhook: 204 and nothing sent (no push events here), 404 for another hook', async () => {
		const h = await newHook(pub);
		const client = octokit(owner.token);
		const res = await client.repos.testPushWebhook({ ...pub, hook_id: h.id });
		assert.equal(res.status, 204);
		assertValidResponse('/repos/{owner}/{repo}/hooks/{hook_id}/tests', 'post', 204, res.data);
		// The hook's advertised test_url answers the same.
		const viaTestUrl = await client.request(`POST ${h.test_url}`);
		assert.equal(viaTestUrl.status, 204);
		assert.equal(count(`SELECT count(*) FROM deliveries WHERE hook_id = ${h.id}`), 0);
		const missing = await assertRequestError(client.repos.testPushWebhook({ ...pub, hook_id: h.id + 1_000_000 }), 404, 'Not Found');
		assertValidResponse('/repos/{owner}/{repo}/hooks/{hook_id}/tests', 'post', 404, missing.response.data);
	});

	it('octokit.paginate over listWebhookDeliveries, newest first', async () => {
		const h = await newHook(pub);
		const client = octokit(owner.token);
		for (let i = 0; i < 5; i++)
			await client.repos.pingWebhook({ ...pub, hook_id: h.id });
		const first = await client.repos.listWebhookDeliveries({ ...pub, hook_id: h.id, per_page: 2 });
		assertValidResponse(DELIVERIES, 'get', 200, first.data);
		assert.equal(first.data.length, 2);
		assert.match(first.headers.link, /rel="next"/);
		const all = await client.paginate(client.repos.listWebhookDeliveries, { ...pub, hook_id: h.id, per_page: 2 });
		assert.equal(all.length, 5);
		const ids = all.map((d) => d.id);
		assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
		assert.equal(new Set(ids).size, 5);
		assert.deepEqual(ids.slice(0, 2), first.data.map((d) => d.id));
	});
});

describe('repos.createDispatchEvent', () => {
	it('204, and one repository_dispatch event in the outbox', async () => {
		const clientPayload = { unit: false, integration: true, nested: { list: [1, 'two', null] } };
		const res = await octokit(owner.token).repos.createDispatchEvent({
			...pub, event_type: 'on-demand-test', client_payload: clientPayload,
		});
		assert.equal(res.status, 204);
		assertValidResponse(DISPATCHES, 'post', 204, res.data);
		const events = dispatchEvents(pub);
		assert.equal(events.length, 1);
		const [e] = events;
		assert.equal(e.action, 'on-demand-test');
		assert.equal(e.deployment_id, null);
		assertValidDispatchPayload(e.payload);
		assert.equal(e.payload.action, 'on-demand-test');
		assert.equal(e.payload.branch, 'trunk');
		assert.deepEqual(e.payload.client_payload, clientPayload);
		assert.equal(e.payload.repository.full_name, pub.fullName);
		assert.equal(e.payload.sender.login, owner.login);

		// A push collaborator may, without client_payload.
		await octokit(pusher.token).repos.createDispatchEvent({ ...priv, event_type: 'bare' });
		const [bare] = dispatchEvents(priv);
		assertValidDispatchPayload(bare.payload);
		assert.equal(bare.payload.client_payload, null);
		assert.equal(bare.payload.branch, 'main');
		assert.equal(bare.payload.sender.login, pusher.login);
	});

	it('answers 422 and 403 as GitHub documents them, and writes nothing', async () => {
		const repo = createRepo(owner.login);
		const client = octokit(owner.token);
		const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
		const cases = [
			[{ event_type: '' }, undefined],
			[{ event_type: 'x'.repeat(101) }, undefined],
			[{ event_type: 'x', client_payload: [1, 2] }, undefined],
			[{ event_type: 'x', client_payload: 'text' }, undefined],
			[{ event_type: 'x', client_payload: eleven }, 'No more than 10 properties are allowed; 11 were supplied.'],
			[{ event_type: 'x', client_payload: { big: 'x'.repeat(70 * 1024) } }, 'client_payload is too large.'],
		];
		for (const [fields, message] of cases) {
			const err = await assertRequestError(client.repos.createDispatchEvent({ ...repo, ...fields }), 422, message);
			assertValidResponse(DISPATCHES, 'post', 422, err.response.data);
		}
		const denied = await assertRequestError(octokit(reader.token).repos.createDispatchEvent({ ...repo, event_type: 'x' }),
		    403, 'Must have push access to repository');
		assertValid('basic-error', denied.response.data);
		const hidden = await assertRequestError(octokit(reader.token).repos.createDispatchEvent({ ...createRepo(owner.login, undefined, { private: true }), event_type: 'x' }),
		    404, 'Not Found');
		assertValidResponse(DISPATCHES, 'post', 404, hidden.response.data);
		assert.deepEqual(dispatchEvents(repo), []);
	});
});

describe('deployctl hook create', () => {
	it('creates a hook the API shows, secret masked', async () => {
		const repo = createRepo(owner.login);
		const id = deployctl('hook', 'create', repo.fullName, '--url', HOOK_URL, '--secret', SECRET,
		    '--events', 'deployment,deployment_status', '--content-type', 'json');
		assert.match(id, /^\d+$/);
		const res = await octokit(owner.token).repos.getWebhook({ ...repo, hook_id: Number(id) });
		assertValidResponse(HOOK, 'get', 200, res.data);
		noSecret(res.data);
		assert.deepEqual(res.data.events, ['deployment', 'deployment_status']);
		assert.deepEqual(res.data.config, { content_type: 'json', insecure_ssl: '0', url: HOOK_URL, secret: '********' });
	});
});
