// Client compatibility of the deployments endpoints: octokit's own methods
// (repos.createDeployment, listDeployments, getDeployment, deleteDeployment,
// octokit.paginate) against the stack, every body checked against GitHub's
// OpenAPI description, and the deployment event written to the outbox
// checked against GitHub's webhook description.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	API_URL, addCollaborator, assertRequestError, assertValid, assertValidResponse,
	assertValidWebhook, createRepo, createToken, createUserWithToken, octokit,
	outboxEvents, psql, runGit,
} from './helpers.mjs';

const LIST = '/repos/{owner}/{repo}/deployments';
const ONE = '/repos/{owner}/{repo}/deployments/{deployment_id}';
const ACTIVE_MESSAGE = 'We cannot delete an active deployment unless it is the only deployment in a given environment.';
const SHA40 = /^[0-9a-f]{40}$/;

// ---------------------------------------------------------------------------
// A bare git repository: main with three commits, an annotated tag v1.0 on
// the first, a branch topic one commit ahead of main.

let gitRoot;
let git;  // { dir, main, c2, c1, tagObject, topic }

function makeGitRepository() {
	gitRoot = mkdtempSync(path.join(os.tmpdir(), 'deploy-node-git-'));
	const work = path.join(gitRoot, 'work');
	const bare = path.join(gitRoot, 'repo.git');
	runGit(gitRoot, 'init', '-q', '-b', 'main', work);
	writeFileSync(path.join(work, 'app.txt'), 'one\n');
	runGit(work, 'add', 'app.txt');
	runGit(work, 'commit', '-qm', 'c1');
	runGit(work, 'tag', '-a', 'v1.0', '-m', 'Release 1.0');
	writeFileSync(path.join(work, 'app.txt'), 'two\n');
	runGit(work, 'commit', '-qam', 'c2');
	writeFileSync(path.join(work, 'app.txt'), 'three\n');
	runGit(work, 'commit', '-qam', 'c3');
	runGit(work, 'checkout', '-qb', 'topic');
	writeFileSync(path.join(work, 'feature.txt'), 'feature\n');
	runGit(work, 'add', 'feature.txt');
	runGit(work, 'commit', '-qm', 'c4');
	runGit(work, 'checkout', '-q', 'main');
	runGit(gitRoot, 'clone', '-q', '--bare', work, bare);
	return {
		dir: bare,
		main: runGit(bare, 'rev-parse', 'main'),
		c2: runGit(bare, 'rev-parse', 'main~1'),
		c1: runGit(bare, 'rev-parse', 'v1.0^{commit}'),
		tagObject: runGit(bare, 'rev-parse', 'v1.0'),
		topic: runGit(bare, 'rev-parse', 'topic'),
	};
}

// ---------------------------------------------------------------------------
// The database.

function makeActive(id) {
	assert.ok(Number.isSafeInteger(id));
	psql(`UPDATE deployments SET latest_state = 'success' WHERE id = ${id}`);
}

function outboxRows(deploymentId) {
	assert.ok(Number.isSafeInteger(deploymentId));
	return outboxEvents(`deployment_id = ${deploymentId}`);
}

// ---------------------------------------------------------------------------

let owner;   // owns every repository below, token with scope repo
let pub;     // public, with the git repository
let priv;    // private, with the git repository
let reader;  // pull collaborator on priv
let pusher;  // push collaborator on priv, token with scope repo_deployment only

before(() => {
	git = makeGitRepository();
	owner = createUserWithToken({ prefix: 'owner' });
	reader = createUserWithToken({ prefix: 'reader' });
	pusher = createUserWithToken({ prefix: 'pusher', scopes: 'repo_deployment' });
	pub = createRepo(owner.login, undefined, { gitDir: git.dir });
	priv = createRepo(owner.login, undefined, { private: true, gitDir: git.dir });
	addCollaborator(priv, reader.login, 'pull');
	addCollaborator(priv, pusher.login, 'push');
});

after(() => {
	if (gitRoot)
		rmSync(gitRoot, { recursive: true, force: true });
});

// A 201 of createDeployment, validated.
function checkCreated(res, repo) {
	assert.equal(res.status, 201);
	assertValid('deployment', res.data);
	assertValidResponse(LIST, 'post', 201, res.data);
	const d = res.data;
	assert.ok(Number.isSafeInteger(d.id) && d.id > 0);
	assert.equal(d.url, `${API_URL}/repos/${repo.fullName}/deployments/${d.id}`);
	assert.equal(res.headers.location, d.url);
	assert.equal(d.statuses_url, `${d.url}/statuses`);
	assert.equal(d.repository_url, `${API_URL}/repos/${repo.fullName}`);
	assert.equal(Buffer.from(d.node_id, 'base64').toString(), `010:Deployment${d.id}`);
	assert.match(d.sha, SHA40);
	assert.match(d.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
	return d;
}

function checkList(res) {
	assert.equal(res.status, 200);
	assertValidResponse(LIST, 'get', 200, res.data);
	for (const d of res.data)
		assertValid('deployment', d);
	return res.data;
}

describe('POST /repos/{owner}/{repo}/deployments (repos.createDeployment)', () => {
	it('fills the defaults and resolves the branch to its commit', async () => {
		const res = await octokit(owner.token).repos.createDeployment({ ...pub, ref: 'main' });
		const d = checkCreated(res, pub);
		assert.equal(d.ref, 'main');
		assert.equal(d.sha, git.main);
		assert.equal(d.task, 'deploy');
		assert.equal(d.environment, 'production');
		assert.equal(d.original_environment, 'production');
		assert.equal(d.production_environment, true);
		assert.equal(d.transient_environment, false);
		assert.equal(d.description, null);
		assert.deepEqual(d.payload, {});
		assert.equal(d.creator.login, owner.login);
		assertValid('simple-user', d.creator);
		assert.equal(d.created_at, d.updated_at);
	});

	it('keeps every field octokit sends, and the payload type', async () => {
		const client = octokit(owner.token);
		const object = { region: 'eu', replicas: 3, nested: { flags: [true, null, 'x'] } };
		const res = await client.repos.createDeployment({
			...pub,
			ref: 'topic',
			task: 'deploy:migrations',
			auto_merge: false,
			required_contexts: [],
			payload: object,
			environment: 'staging',
			description: 'Ship the feature',
			transient_environment: true,
		});
		const d = checkCreated(res, pub);
		assert.equal(d.sha, git.topic);
		assert.equal(d.task, 'deploy:migrations');
		assert.deepEqual(d.payload, object);
		assert.equal(d.environment, 'staging');
		assert.equal(d.original_environment, 'staging');
		assert.equal(d.description, 'Ship the feature');
		assert.equal(d.transient_environment, true);
		assert.equal(d.production_environment, false);

		const s = checkCreated(await client.repos.createDeployment({
			...pub, ref: 'main', payload: '{"a string":"not an object"}', environment: 'staging',
			production_environment: true,
		}), pub);
		assert.equal(s.payload, '{"a string":"not an object"}');
		assert.equal(s.production_environment, true);

		const got = await client.repos.getDeployment({ ...pub, deployment_id: s.id });
		assert.equal(got.data.payload, '{"a string":"not an object"}');
	});

	it('peels an annotated tag and expands an abbreviated SHA', async () => {
		const client = octokit(owner.token);
		const tag = checkCreated(await client.repos.createDeployment({ ...pub, ref: 'v1.0' }), pub);
		assert.equal(tag.sha, git.c1);
		assert.notEqual(tag.sha, git.tagObject);
		assert.equal(tag.ref, 'v1.0');
		const short = checkCreated(await client.repos.createDeployment({ ...pub, ref: git.c2.slice(0, 7) }), pub);
		assert.equal(short.sha, git.c2);
		assert.equal(short.ref, git.c2.slice(0, 7));
		const full = checkCreated(await client.repos.createDeployment({ ...pub, ref: git.c2 }), pub);
		assert.equal(full.sha, git.c2);
	});

	it('answers 422 "No ref found for: X" for an unknown ref', async () => {
		const err = await assertRequestError(
		    octokit(owner.token).repos.createDeployment({ ...pub, ref: 'no-such-branch' }), 422,
		    'No ref found for: no-such-branch');
		assertValidResponse(LIST, 'post', 422, err.response.data);
	});

	it('answers 422 Validation Failed with errors GitHub documents', async () => {
		const client = octokit(owner.token);
		const cases = [
			[{}, 'ref', 'missing_field'],
			[{ ref: '' }, 'ref', 'invalid'],
			[{ ref: 'main', task: 't'.repeat(129) }, 'task', 'invalid'],
			[{ ref: 'main', payload: 42 }, 'payload', 'invalid'],
			[{ ref: 'main', required_contexts: 'ci' }, 'required_contexts', 'invalid'],
			[{ ref: 'main', transient_environment: 'yes' }, 'transient_environment', 'invalid'],
			[{ ref: 'main', environment: 'prod\u0001' }, 'environment', 'invalid'],
		];
		for (const [body, field, code] of cases) {
			const err = await assertRequestError(
			    client.request('POST /repos/{owner}/{repo}/deployments', { ...pub, ...body }), 422,
			    'Validation Failed');
			assertValidResponse(LIST, 'post', 422, err.response.data);
			assertValid('validation-error', err.response.data);
			assert.ok(err.response.data.errors.some((e) => e.resource === 'Deployment' && e.field === field &&
			    e.code === code), `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(err.response.data.errors)}`);
		}
	});

	it('lets a repo_deployment token with push create on a private repository', async () => {
		const res = await octokit(pusher.token).repos.createDeployment({ ...priv, ref: 'topic' });
		const d = checkCreated(res, priv);
		assert.equal(d.creator.login, pusher.login);
		assert.equal(d.sha, git.topic);
	});

	it('refuses pull-only collaborators (403), public_repo tokens on private repositories (404), anonymous callers (401)', async () => {
		const pullOnly = await assertRequestError(
		    octokit(reader.token).repos.createDeployment({ ...priv, ref: 'main' }), 403,
		    'Must have push access to repository');
		assertValid('basic-error', pullOnly.response.data);
		const publicOnly = createToken(owner.login, { scopes: 'public_repo' });
		const hidden = await assertRequestError(
		    octokit(publicOnly).repos.createDeployment({ ...priv, ref: 'main' }), 404, 'Not Found');
		assertValid('basic-error', hidden.response.data);
		const anonymous = await assertRequestError(octokit().repos.createDeployment({ ...pub, ref: 'main' }), 401);
		assertValid('basic-error', anonymous.response.data);
	});

	it('writes a deployment.created event that matches GitHub\'s webhook description', async () => {
		const res = await octokit(owner.token).repos.createDeployment({
			...pub, ref: 'topic', environment: 'review', payload: { pr: 42 }, description: 'Review app',
		});
		const d = checkCreated(res, pub);
		const rows = outboxRows(d.id);
		assert.equal(rows.length, 1);
		const [{ event, action, payload }] = rows;
		assert.equal(event, 'deployment');
		assert.equal(action, 'created');
		assertValidWebhook('deployment-created', payload);
		assert.equal(payload.action, 'created');
		assert.deepEqual(payload.deployment, d);
		assert.equal(payload.repository.full_name, pub.fullName);
		assert.equal(payload.repository.private, false);
		assert.equal(payload.sender.login, owner.login);
		assert.equal(payload.workflow, null);
		assert.equal(payload.workflow_run, null);

		// A string payload is a string in the event too.
		const s = checkCreated(await octokit(pusher.token).repos.createDeployment({
			...priv, ref: 'main', payload: 'plain text',
		}), priv);
		const [row] = outboxRows(s.id);
		assertValidWebhook('deployment-created', row.payload);
		assert.equal(row.payload.deployment.payload, 'plain text');
		assert.equal(row.payload.repository.private, true);
		assert.equal(row.payload.sender.login, pusher.login);
	});
});

describe('GET /repos/{owner}/{repo}/deployments[/{id}] (listDeployments, getDeployment)', () => {
	let repo;
	const made = {};

	before(async () => {
		repo = createRepo(owner.login, undefined, { gitDir: git.dir });
		const client = octokit(owner.token);
		const create = async (params) => (await client.repos.createDeployment({ ...repo, ...params })).data;
		made.a = await create({ ref: 'main' });
		made.b = await create({ ref: 'topic', task: 'deploy:migrations', environment: 'staging' });
		made.c = await create({ ref: 'v1.0', environment: 'staging' });
	});

	it('lists newest first, the same objects getDeployment returns', async () => {
		const client = octokit(owner.token);
		const list = checkList(await client.repos.listDeployments({ ...repo }));
		assert.deepEqual(list.map((d) => d.id), [made.c.id, made.b.id, made.a.id]);
		for (const d of list) {
			const one = await client.repos.getDeployment({ ...repo, deployment_id: d.id });
			assert.equal(one.status, 200);
			assertValidResponse(ONE, 'get', 200, one.data);
			assert.deepEqual(one.data, d);
		}
		assert.deepEqual(list[2], made.a);
	});

	it('filters by sha, ref, task and environment', async () => {
		const client = octokit(owner.token);
		const ids = async (params) => checkList(await client.repos.listDeployments({ ...repo, ...params }))
			.map((d) => d.id);
		assert.deepEqual(await ids({ sha: git.main }), [made.a.id]);
		assert.deepEqual(await ids({ sha: git.c1 }), [made.c.id]);
		assert.deepEqual(await ids({ ref: 'topic' }), [made.b.id]);
		assert.deepEqual(await ids({ ref: 'v1.0' }), [made.c.id]);
		assert.deepEqual(await ids({ task: 'deploy:migrations' }), [made.b.id]);
		assert.deepEqual(await ids({ task: 'deploy' }), [made.c.id, made.a.id]);
		assert.deepEqual(await ids({ environment: 'staging' }), [made.c.id, made.b.id]);
		assert.deepEqual(await ids({ environment: 'production' }), [made.a.id]);
		assert.deepEqual(await ids({ environment: 'staging', ref: 'v1.0' }), [made.c.id]);
		assert.deepEqual(await ids({ environment: 'nowhere' }), []);
	});

	it('answers 404 for a missing id and for another repository\'s deployment', async () => {
		const client = octokit(owner.token);
		const missing = await assertRequestError(
		    client.repos.getDeployment({ ...repo, deployment_id: made.c.id + 1_000_000 }), 404, 'Not Found');
		assertValidResponse(ONE, 'get', 404, missing.response.data);
		const other = (await client.repos.createDeployment({ ...pub, ref: 'main' })).data;
		const foreign = await assertRequestError(
		    client.repos.getDeployment({ ...repo, deployment_id: other.id }), 404, 'Not Found');
		assertValidResponse(ONE, 'get', 404, foreign.response.data);
	});
});

describe('octokit.paginate over listDeployments', () => {
	it('collects 45 deployments with per_page 20, each exactly once, newest first', async () => {
		const repo = createRepo(owner.login);
		const client = octokit(owner.token);
		const created = [];
		for (let i = 0; i < 45; i++) {
			const res = await client.repos.createDeployment({
				...repo, ref: '0123456789abcdef0123456789abcdef01234567', environment: `env-${i % 3}`,
			});
			created.push(res.data.id);
		}
		let pages = 0;
		const all = await client.paginate(client.rest.repos.listDeployments, { ...repo, per_page: 20 },
		    (response) => {
			    pages += 1;
			    checkList(response);
			    assert.ok(response.data.length <= 20);
			    if (response.data.length === 20)
				    assert.match(response.headers.link ?? '', /rel="next"/);
			    else
				    assert.doesNotMatch(response.headers.link ?? '', /rel="next"/);
			    return response.data;
		    });
		assert.equal(pages, 3);
		assert.equal(all.length, 45);
		assert.equal(new Set(all.map((d) => d.id)).size, 45);
		assert.deepEqual(all.map((d) => d.id), [...created].reverse());

		// Filters survive the Link URLs: 15 in env-1 over pages of 4.
		const filtered = await client.paginate(client.rest.repos.listDeployments,
		    { ...repo, environment: 'env-1', per_page: 4 });
		assert.deepEqual(filtered.map((d) => d.id), created.filter((_, i) => i % 3 === 1).reverse());

		// per_page above 100 is clamped, and 45 fit in one page.
		const big = checkList(await client.repos.listDeployments({ ...repo, per_page: 1000 }));
		assert.equal(big.length, 45);
	});
});

describe('DELETE /repos/{owner}/{repo}/deployments/{id} (repos.deleteDeployment)', () => {
	it('deletes an inactive deployment, refuses an active one that is not alone, deletes it once alone', async () => {
		const repo = createRepo(owner.login, undefined, { gitDir: git.dir });
		const client = octokit(owner.token);
		const create = async (environment) =>
			(await client.repos.createDeployment({ ...repo, ref: 'main', environment })).data.id;
		const inactive = await create('production');
		const active = await create('production');
		const solo = await create('solo');

		const gone = await client.repos.deleteDeployment({ ...repo, deployment_id: inactive });
		assert.equal(gone.status, 204);
		assertValidResponse(ONE, 'delete', 204, gone.data);
		await assertRequestError(client.repos.getDeployment({ ...repo, deployment_id: inactive }), 404, 'Not Found');

		// Active beside another deployment of its environment: 422.
		const other = await create('production');
		makeActive(active);
		const refused = await assertRequestError(client.repos.deleteDeployment({ ...repo, deployment_id: active }),
		    422, 'Validation Failed');
		assertValidResponse(ONE, 'delete', 422, refused.response.data);
		assertValid('validation-error-simple', refused.response.data);
		assert.deepEqual(refused.response.data.errors, [ACTIVE_MESSAGE]);
		assert.equal((await client.repos.getDeployment({ ...repo, deployment_id: active })).status, 200);

		// Active and alone in its environment: deleted.
		makeActive(solo);
		assert.equal((await client.repos.deleteDeployment({ ...repo, deployment_id: solo })).status, 204);
		assert.equal((await client.repos.deleteDeployment({ ...repo, deployment_id: other })).status, 204);
		assert.equal((await client.repos.deleteDeployment({ ...repo, deployment_id: active })).status, 204);
		assert.deepEqual(checkList(await client.repos.listDeployments({ ...repo })), []);

		const missing = await assertRequestError(client.repos.deleteDeployment({ ...repo, deployment_id: active }),
		    404, 'Not Found');
		assertValidResponse(ONE, 'delete', 404, missing.response.data);
	});

	it('needs push access', async () => {
		const d = (await octokit(pusher.token).repos.createDeployment({ ...priv, ref: 'main', environment: 'x' })).data;
		await assertRequestError(octokit(reader.token).repos.deleteDeployment({ ...priv, deployment_id: d.id }), 403,
		    'Must have push access to repository');
		assert.equal((await octokit(pusher.token).repos.deleteDeployment({ ...priv, deployment_id: d.id })).status,
		    204);
	});
});
