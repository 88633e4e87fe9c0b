// Client compatibility of the deployment statuses endpoints: octokit's own
// methods (repos.createDeploymentStatus, listDeploymentStatuses,
// getDeploymentStatus, octokit.paginate) against the stack, every body
// checked against GitHub's OpenAPI description, and every deployment_status
// event written to the outbox checked against GitHub's webhook description.
// Repositories have no git directory: refs are full SHAs.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
	API_URL, addCollaborator, assertRequestError, assertValid, assertValidResponse,
	assertValidWebhook, createRepo, createUserWithToken, octokit, outboxEvents,
	psql,
} from './helpers.mjs';

const LIST = '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
const ONE = '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}';
const SHA = '0123456789abcdef0123456789abcdef01234567';
const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// The deployment_status events of a deployment, oldest first.
function statusEvents(deploymentId) {
	assert.ok(Number.isSafeInteger(deploymentId));
	return outboxEvents(`event = 'deployment_status' AND deployment_id = ${deploymentId}`);
}

// GitHub's description gives target_url, log_url and environment_url both
// format "uri" and default "" (the spec pages and GitHub's real answers use
// ""), and "" is no URI: the validator sees a copy where each empty one is a
// placeholder URI. That they are strings, and "" where expected, is asserted
// on the real body.
const URL_FIELDS = ['target_url', 'log_url', 'environment_url'];
const PLACEHOLDER = 'https://placeholder.invalid/';

function withUrlDefaults(status) {
	const copy = { ...status };
	for (const key of URL_FIELDS) {
		if (key in copy) {
			assert.equal(typeof copy[key], 'string', `${key} is a string`);
			if (copy[key] === '')
				copy[key] = PLACEHOLDER;
		}
	}
	return copy;
}

function validStatus(body) {
	const copy = withUrlDefaults(body);
	assertValid('deployment-status', copy);
	return copy;
}

function validStatusResponse(path, method, status, body) {
	assertValidResponse(path, method, status, Array.isArray(body) ? body.map(withUrlDefaults) : withUrlDefaults(body));
}

function validStatusWebhook(payload) {
	assertValidWebhook('deployment-status-created', {
		...payload, deployment_status: withUrlDefaults(payload.deployment_status),
	});
}

let owner;   // owns the repositories, token with scope repo
let pusher;  // push collaborator on priv, token with scope repo_deployment only
let reader;  // pull collaborator on priv
let pub;     // public
let priv;    // private

before(() => {
	owner = createUserWithToken({ prefix: 'owner' });
	pusher = createUserWithToken({ prefix: 'pusher', scopes: 'repo_deployment' });
	reader = createUserWithToken({ prefix: 'reader' });
	pub = createRepo(owner.login);
	priv = createRepo(owner.login, undefined, { private: true });
	addCollaborator(priv, pusher.login, 'push');
	addCollaborator(priv, reader.login, 'pull');
});

async function newDeployment(repo, { token = owner.token, ...fields } = {}) {
	const res = await octokit(token).repos.createDeployment({ ...repo, ref: SHA, ...fields });
	assert.equal(res.status, 201);
	return res.data;
}

// A 201 of createDeploymentStatus, validated, with the common fields checked.
function checkCreated(res, repo, deployment, { state, creator }) {
	assert.equal(res.status, 201);
	validStatusResponse(LIST, 'post', 201, res.data);
	validStatus(res.data);
	const s = res.data;
	const deploymentUrl = `${API_URL}/repos/${repo.fullName}/deployments/${deployment.id}`;
	assert.equal(s.url, `${deploymentUrl}/statuses/${s.id}`);
	assert.equal(res.headers.location, s.url);
	assert.equal(Buffer.from(s.node_id, 'base64').toString(), `016:DeploymentStatus${s.id}`);
	assert.equal(s.state, state);
	assert.equal(s.creator.login, creator);
	assert.equal(s.deployment_url, deploymentUrl);
	assert.equal(s.repository_url, `${API_URL}/repos/${repo.fullName}`);
	assert.match(s.created_at, ISO_SECONDS);
	assert.equal(s.updated_at, s.created_at);
	assert.equal(s.performed_via_github_app, null);
	return s;
}

describe('POST .../deployments/{id}/statuses (repos.createDeploymentStatus)', () => {
	it('accepts every state, with GitHub\'s defaults', async () => {
		const d = await newDeployment(pub, { environment: 'staging' });
		for (const state of STATES) {
			const res = await octokit(owner.token).repos.createDeploymentStatus({
				...pub, deployment_id: d.id, state,
			});
			const s = checkCreated(res, pub, d, { state, creator: owner.login });
			assert.equal(s.description, '');
			assert.equal(s.environment, 'staging');
			assert.equal(s.target_url, '');
			assert.equal(s.log_url, '');
			assert.equal(s.environment_url, '');
		}
	});

	it('takes every body field octokit sends, and the old preview media types', async () => {
		const d = await newDeployment(priv, { environment: 'staging', token: pusher.token });
		const res = await octokit(pusher.token).repos.createDeploymentStatus({
			...priv,
			deployment_id: d.id,
			state: 'success',
			target_url: 'https://ci.example/t',
			log_url: 'https://ci.example/l',
			description: 'Deployed é€🚀',
			environment: 'qa',
			environment_url: 'https://qa.example',
			auto_inactive: true,
			mediaType: { previews: ['ant-man', 'flash'] },
		});
		const s = checkCreated(res, priv, d, { state: 'success', creator: pusher.login });
		assert.equal(s.log_url, 'https://ci.example/l');
		assert.equal(s.target_url, 'https://ci.example/l', 'log_url wins for both');
		assert.equal(s.description, 'Deployed é€🚀');
		assert.equal(s.environment, 'qa');
		assert.equal(s.environment_url, 'https://qa.example');

		const got = await octokit(owner.token).repos.getDeployment({ ...priv, deployment_id: d.id });
		assertValid('deployment', got.data);
		assert.equal(got.data.environment, 'qa');
		assert.equal(got.data.original_environment, 'staging');
		assert.equal(got.data.updated_at, s.created_at);

		// target_url alone fills log_url.
		const t = await octokit(pusher.token).repos.createDeploymentStatus({
			...priv, deployment_id: d.id, state: 'in_progress', target_url: 'https://ci.example/only',
		});
		checkCreated(t, priv, d, { state: 'in_progress', creator: pusher.login });
		assert.equal(t.data.log_url, 'https://ci.example/only');
		assert.equal(t.data.environment, 'qa');
	});

	it('answers 422 as GitHub documents it, and writes nothing', async () => {
		const d = await newDeployment(pub, { environment: 'staging' });
		const count = () => psql(`SELECT count(*) FROM deployment_statuses WHERE deployment_id = ${d.id}`);
		const before = count();

		const unknown = await assertRequestError(octokit(owner.token).repos.createDeploymentStatus({
			...pub, deployment_id: d.id, state: 'done',
		}), 422, 'Validation Failed');
		assertValidResponse(LIST, 'post', 422, unknown.response.data);
		assert.deepEqual(unknown.response.data.errors, [{
			resource: 'DeploymentStatus', field: 'state', code: 'custom',
			message: 'state is not included in the list',
		}]);

		const long = await assertRequestError(octokit(owner.token).repos.createDeploymentStatus({
			...pub, deployment_id: d.id, state: 'success', description: 'é'.repeat(141),
		}), 422, 'Validation Failed');
		assertValidResponse(LIST, 'post', 422, long.response.data);
		assert.deepEqual(long.response.data.errors, [{
			resource: 'DeploymentStatus', field: 'description', code: 'custom',
			message: 'description is too long (maximum is 140 characters)',
		}]);

		const typed = await assertRequestError(octokit(owner.token).request(`POST ${LIST}`, {
			...pub, deployment_id: d.id, state: 'success', auto_inactive: 'yes',
		}), 422, 'Validation Failed');
		assertValidResponse(LIST, 'post', 422, typed.response.data);

		assert.equal(count(), before);
		assert.deepEqual(statusEvents(d.id), []);

		// 140 characters pass, untruncated.
		const ok = await octokit(owner.token).repos.createDeploymentStatus({
			...pub, deployment_id: d.id, state: 'pending', description: '🚀'.repeat(140),
		});
		checkCreated(ok, pub, d, { state: 'pending', creator: owner.login });
		assert.equal(ok.data.description, '🚀'.repeat(140));
	});

	it('refuses a pull collaborator with 403 and hides missing deployments with 404', async () => {
		const d = await newDeployment(priv, { environment: 'staging' });
		const denied = await assertRequestError(octokit(reader.token).repos.createDeploymentStatus({
			...priv, deployment_id: d.id, state: 'success',
		}), 403, 'Must have push access to repository');
		assertValid('basic-error', denied.response.data);
		const missing = await assertRequestError(octokit(owner.token).repos.createDeploymentStatus({
			...priv, deployment_id: 999999999, state: 'success',
		}), 404, 'Not Found');
		assertValid('basic-error', missing.response.data);
	});
});

describe('the inactive cascade through octokit', () => {
	it('marks the previous success inactive, and a rollback the newer one', async () => {
		const api = octokit(owner.token);
		const d1 = await newDeployment(pub, { environment: 'cascade' });
		const d2 = await newDeployment(pub, { environment: 'cascade' });
		const latest = async (d) => {
			const res = await api.repos.listDeploymentStatuses({ ...pub, deployment_id: d.id });
			validStatusResponse(LIST, 'get', 200, res.data);
			return res.data[0]?.state;
		};
		await api.repos.createDeploymentStatus({
			...pub, deployment_id: d1.id, state: 'success', log_url: 'https://ci.example/1',
			environment_url: 'https://cascade.example/1',
		});
		await api.repos.createDeploymentStatus({ ...pub, deployment_id: d2.id, state: 'success' });
		assert.equal(await latest(d1), 'inactive');
		assert.equal(await latest(d2), 'success');

		const [inactive] = (await api.repos.listDeploymentStatuses({ ...pub, deployment_id: d1.id })).data;
		validStatus(inactive);
		assert.equal(inactive.description, '');
		assert.equal(inactive.log_url, 'https://ci.example/1');
		assert.equal(inactive.target_url, 'https://ci.example/1');
		assert.equal(inactive.environment_url, 'https://cascade.example/1');

		// Rollback.
		await api.repos.createDeploymentStatus({ ...pub, deployment_id: d1.id, state: 'success' });
		assert.equal(await latest(d1), 'success');
		assert.equal(await latest(d2), 'inactive');

		// auto_inactive false leaves D1 alone.
		await api.repos.createDeploymentStatus({ ...pub, deployment_id: d2.id, state: 'success', auto_inactive: false });
		assert.equal(await latest(d1), 'success');
		assert.equal(await latest(d2), 'success');
	});
});

describe('GET .../statuses[/{status_id}] (listDeploymentStatuses, getDeploymentStatus)', () => {
	let d;
	const made = [];

	before(async () => {
		d = await newDeployment(priv, { environment: 'listing' });
		for (let i = 0; i < 12; i += 1) {
			const res = await octokit(owner.token).repos.createDeploymentStatus({
				...priv, deployment_id: d.id, state: STATES[i % STATES.length],
				log_url: `https://ci.example/${i}`,
			});
			made.push(res.data);
		}
	});

	it('lists newest first, every item valid', async () => {
		const res = await octokit(reader.token).repos.listDeploymentStatuses({ ...priv, deployment_id: d.id });
		assert.equal(res.status, 200);
		validStatusResponse(LIST, 'get', 200, res.data);
		for (const s of res.data)
			validStatus(s);
		assert.deepEqual(res.data.map((s) => s.id), made.map((s) => s.id).reverse());
		assert.deepEqual(res.data, [...made].reverse());
		assert.equal(res.headers.link, undefined, 'everything fits on one page');
	});

	it('paginates with octokit.paginate, each status exactly once', async () => {
		const api = octokit(owner.token);
		const pages = [];
		for await (const page of api.paginate.iterator(api.repos.listDeploymentStatuses, {
			...priv, deployment_id: d.id, per_page: 5,
		})) {
			validStatusResponse(LIST, 'get', 200, page.data);
			pages.push(page.data.map((s) => s.id));
		}
		assert.deepEqual(pages.map((p) => p.length), [5, 5, 2]);
		assert.deepEqual(pages.flat(), made.map((s) => s.id).reverse());
		const all = await api.paginate(api.repos.listDeploymentStatuses, { ...priv, deployment_id: d.id, per_page: 5 });
		assert.deepEqual(all.map((s) => s.id), made.map((s) => s.id).reverse());
	});

	it('gets one status, the same object the create answered', async () => {
		for (const s of [made[0], made[6], made[11]]) {
			const res = await octokit(reader.token).repos.getDeploymentStatus({
				...priv, deployment_id: d.id, status_id: s.id,
			});
			assert.equal(res.status, 200);
			validStatusResponse(ONE, 'get', 200, res.data);
			validStatus(res.data);
			assert.deepEqual(res.data, s);
		}
	});

	it('answers 404 for another deployment\'s status, other repositories and missing ids', async () => {
		const api = octokit(owner.token);
		const other = await newDeployment(priv, { environment: 'listing' });
		const cases = [
			() => api.repos.getDeploymentStatus({ ...priv, deployment_id: other.id, status_id: made[0].id }),
			() => api.repos.getDeploymentStatus({ ...priv, deployment_id: d.id, status_id: 999999999 }),
			() => api.repos.getDeploymentStatus({ ...pub, deployment_id: d.id, status_id: made[0].id }),
			() => api.repos.listDeploymentStatuses({ ...pub, deployment_id: d.id }),
			() => api.repos.listDeploymentStatuses({ ...priv, deployment_id: 999999999 }),
		];
		// One at a time: a promise made before its turn would reject unhandled.
		for (const call of cases) {
			const err = await assertRequestError(call(), 404, 'Not Found');
			assertValid('basic-error', err.response.data);
		}
	});
});

describe('deployment_status events in the outbox', () => {
	it('one per non-inactive status, each valid against GitHub\'s webhook description', async () => {
		const api = octokit(owner.token);
		const d1 = await newDeployment(pub, { environment: 'events' });
		const d2 = await newDeployment(pub, { environment: 'events', transient_environment: true });
		const created = [];
		for (const [d, state, extra] of [
			[d1, 'queued', {}],
			[d1, 'in_progress', { log_url: 'https://ci.example/run' }],
			[d1, 'success', { environment_url: 'https://events.example' }],
			[d2, 'success', { environment: 'events' }],
			[d1, 'failure', { description: 'rolled back' }],
			[d2, 'error', {}],
			[d2, 'pending', {}],
			[d2, 'inactive', {}],
		]) {
			const res = await api.repos.createDeploymentStatus({ ...pub, deployment_id: d.id, state, ...extra });
			created.push({ deployment: d, status: res.data });
		}
		for (const d of [d1, d2]) {
			const events = statusEvents(d.id);
			const expected = created.filter((c) => c.deployment === d && c.status.state !== 'inactive');
			assert.deepEqual(events.map((e) => e.payload.deployment_status.id), expected.map((c) => c.status.id));
			for (const [i, { action, payload }] of events.entries()) {
				assert.equal(action, 'created');
				validStatusWebhook(payload);
				assert.equal(payload.action, 'created');
				assert.deepEqual(payload.deployment_status, expected[i].status);
				assert.equal(payload.deployment.id, d.id);
				assert.equal(payload.deployment.updated_at, expected[i].status.created_at);
				assert.equal(payload.repository.full_name, pub.fullName);
				assert.equal(payload.sender.login, owner.login);
				assert.equal(payload.check_run, null);
				assert.equal(payload.workflow, null);
				assert.equal(payload.workflow_run, null);
			}
		}
	});
});
