// Client compatibility of the users and repositories endpoints: GitHub's own
// client (octokit) against the stack, every body checked against GitHub's
// OpenAPI description.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
	API_URL, DEPLOY_URL, RequestError, addCollaborator, assertRequestError, assertValid,
	assertValidResponse, createRepo, createToken, createUserWithToken, octokit,
} from './helpers.mjs';

const REPO_PATH = '/repos/{owner}/{repo}';

const ALL = { admin: true, maintain: true, push: true, triage: true, pull: true };
const PUSH = { admin: false, maintain: false, push: true, triage: true, pull: true };
const PULL = { admin: false, maintain: false, push: false, triage: false, pull: true };

let owner;     // owns both repositories
let reader;    // pull collaborator on the private repository
let writer;    // push collaborator on the private repository
let outsider;  // no relation to either repository
let pub;       // { owner, repo, fullName } of the public repository
let priv;      // the private one

before(() => {
	owner = createUserWithToken({ prefix: 'owner' });
	reader = createUserWithToken({ prefix: 'reader' });
	writer = createUserWithToken({ prefix: 'writer' });
	outsider = createUserWithToken({ prefix: 'outsider' });
	pub = createRepo(owner.login, undefined, { description: 'public repository' });
	priv = createRepo(owner.login, undefined, { private: true });
	addCollaborator(priv, reader.login, 'pull');
	addCollaborator(priv, writer.login, 'push');
});

// A 200 of GET /repos/{owner}/{repo}, validated and checked for identity.
function checkRepository(res, repo, { isPrivate, permissions }) {
	assert.equal(res.status, 200);
	assertValid('full-repository', res.data);
	assertValidResponse(REPO_PATH, 'get', 200, res.data);
	const d = res.data;
	assert.equal(d.name, repo.repo);
	assert.equal(d.full_name, repo.fullName);
	assert.equal(d.owner.login, repo.owner);
	assert.equal(d.owner.type, 'User');
	assert.equal(d.private, isPrivate);
	assert.equal(d.visibility, isPrivate ? 'private' : 'public');
	assert.equal(d.fork, false);
	assert.equal(typeof d.default_branch, 'string');
	assert.ok(d.default_branch.length > 0);
	if (permissions === undefined)
		assert.equal(d.permissions, undefined, 'an anonymous caller gets no permissions object');
	else
		assert.deepEqual(d.permissions, permissions);
}

describe('GET /user (users.getAuthenticated)', () => {
	it('returns the private profile of the token owner', async () => {
		const res = await octokit(owner.token).users.getAuthenticated();
		assert.equal(res.status, 200);
		assertValid('private-user', res.data);
		assertValidResponse('/user', 'get', 200, res.data);
		const u = res.data;
		assert.equal(u.login, owner.login);
		assert.equal(u.type, 'User');
		assert.equal(u.site_admin, false);
		assert.ok(Number.isSafeInteger(u.id) && u.id > 0);
		assert.equal(u.url, `${API_URL}/users/${owner.login}`);
		assert.equal(u.html_url, `${DEPLOY_URL}/${owner.login}`);
		assert.equal(Buffer.from(u.node_id, 'base64').toString(), `04:User${u.id}`);
		assert.equal(u.public_repos, 1);
		assert.equal(u.owned_private_repos, 1);
		assert.equal(u.collaborators, 2);
	});

	it('names the user of each token', async () => {
		for (const who of [reader, writer, outsider]) {
			const res = await octokit(who.token).users.getAuthenticated();
			assertValid('private-user', res.data);
			assertValidResponse('/user', 'get', 200, res.data);
			assert.equal(res.data.login, who.login);
			assert.equal(res.data.public_repos, 0);
			assert.equal(res.data.owned_private_repos, 0);
		}
	});

	it('answers 401 "Requires authentication" without a token', async () => {
		const err = await assertRequestError(octokit().users.getAuthenticated(), 401,
		    'Requires authentication');
		assertValid('basic-error', err.response.data);
		assertValidResponse('/user', 'get', 401, err.response.data);
	});
});

describe('GET /repos/{owner}/{repo} (repos.get)', () => {
	it('returns a public repository to its owner with every permission', async () => {
		const res = await octokit(owner.token).repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: ALL });
		assert.equal(res.data.description, 'public repository');
	});

	it('returns a public repository to anyone with pull permission', async () => {
		const res = await octokit(outsider.token).repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: PULL });
	});

	it('returns a public repository to an anonymous caller, without permissions', async () => {
		const res = await octokit().repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: undefined });
	});

	it('returns a private repository to its owner', async () => {
		const res = await octokit(owner.token).repos.get({ owner: priv.owner, repo: priv.repo });
		checkRepository(res, priv, { isPrivate: true, permissions: ALL });
	});

	it('returns a private repository to collaborators with their permission', async () => {
		const r = await octokit(reader.token).repos.get({ owner: priv.owner, repo: priv.repo });
		checkRepository(r, priv, { isPrivate: true, permissions: PULL });
		const w = await octokit(writer.token).repos.get({ owner: priv.owner, repo: priv.repo });
		checkRepository(w, priv, { isPrivate: true, permissions: PUSH });
	});

	it('matches owner and name case-insensitively, as GitHub does', async () => {
		const res = await octokit(owner.token).repos.get({
			owner: pub.owner.toUpperCase(),
			repo: pub.repo.toUpperCase(),
		});
		checkRepository(res, pub, { isPrivate: false, permissions: ALL });
	});
});

describe('request() through the /api/v3 base URL', () => {
	it('renders API URLs under /api/v3 and web URLs without it', async () => {
		const client = octokit(owner.token);
		const res = await client.request('GET /repos/{owner}/{repo}', { owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: ALL });
		const d = res.data;
		const repoUrl = `${API_URL}/repos/${pub.fullName}`;
		assert.equal(d.url, repoUrl);
		assert.equal(d.deployments_url, `${repoUrl}/deployments`);
		assert.equal(d.hooks_url, `${repoUrl}/hooks`);
		assert.equal(d.statuses_url, `${repoUrl}/statuses/{sha}`);
		assert.equal(d.owner.url, `${API_URL}/users/${pub.owner}`);
		assert.equal(d.html_url, `${DEPLOY_URL}/${pub.fullName}`);
		assert.equal(d.clone_url, `${DEPLOY_URL}/${pub.fullName}.git`);
		const web = new Set(['html_url', 'clone_url', 'svn_url', 'git_url', 'ssh_url', 'mirror_url']);
		for (const [key, value] of Object.entries(d)) {
			if (!key.endsWith('_url') || web.has(key) || value === null)
				continue;
			assert.ok(value.startsWith(`${API_URL}/`), `${key} = ${value} is not under ${API_URL}`);
		}
		for (const [key, value] of Object.entries(d.owner)) {
			if (key.endsWith('_url') && !['html_url', 'avatar_url'].includes(key))
				assert.ok(value.startsWith(`${API_URL}/users/`), `owner.${key} = ${value}`);
		}

		// The URL octokit hands back is usable as is.
		const again = await client.request(`GET ${d.url}`);
		checkRepository(again, pub, { isPrivate: false, permissions: ALL });
	});

	it('renders URLs without /api/v3 for a client at the root, as api.github.com', async () => {
		const res = await octokit(owner.token, { baseUrl: DEPLOY_URL })
			.request('GET /repos/{owner}/{repo}', { owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: ALL });
		assert.equal(res.data.url, `${DEPLOY_URL}/repos/${pub.fullName}`);
		assert.ok(!JSON.stringify(res.data).includes('/api/v3'));
	});
});

describe('errors surface as octokit RequestError', () => {
	it('404 Not Found for a private repository the caller cannot see', async () => {
		const err = await assertRequestError(
		    octokit(outsider.token).repos.get({ owner: priv.owner, repo: priv.repo }), 404, 'Not Found');
		assert.ok(err instanceof RequestError);
		assert.equal(err.name, 'HttpError');
		assert.equal(typeof err.response.data.documentation_url, 'string');
		assertValid('basic-error', err.response.data);
		assertValidResponse(REPO_PATH, 'get', 404, err.response.data);
		assert.equal(err.request.url, `${API_URL}/repos/${priv.fullName}`);
	});

	it('the same 404 for a private repository and a missing one (existence is not confirmed)', async () => {
		const client = octokit(outsider.token);
		const hidden = await assertRequestError(client.repos.get({ owner: priv.owner, repo: priv.repo }), 404);
		const missing = await assertRequestError(
		    client.repos.get({ owner: priv.owner, repo: `${priv.repo}-missing` }), 404);
		assert.deepEqual(hidden.response.data, missing.response.data);
		const anonymous = await assertRequestError(
		    octokit().repos.get({ owner: priv.owner, repo: priv.repo }), 404, 'Not Found');
		assertValid('basic-error', anonymous.response.data);
	});

	it('404 for a private repository when the token only has public_repo', async () => {
		const token = createToken(owner.login, { scopes: 'public_repo' });
		const client = octokit(token);
		await assertRequestError(client.repos.get({ owner: priv.owner, repo: priv.repo }), 404, 'Not Found');
		const res = await client.repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(res, pub, { isPrivate: false, permissions: ALL });
	});

	it('401 Bad credentials for an unknown token', async () => {
		const client = octokit('ghp_thisTokenDoesNotExist0000000000000000');
		const err = await assertRequestError(client.users.getAuthenticated(), 401, 'Bad credentials');
		assertValid('basic-error', err.response.data);
		assertValidResponse('/user', 'get', 401, err.response.data);
		const repoErr = await assertRequestError(client.repos.get({ owner: pub.owner, repo: pub.repo }), 401,
		    'Bad credentials');
		assertValid('basic-error', repoErr.response.data);
	});
});

describe('rate-limit headers', () => {
	function rateLimit(headers) {
		for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset'])
			assert.match(String(headers[name] ?? ''), /^\d+$/, `${name}: ${headers[name]}`);
		assert.equal(headers['x-ratelimit-resource'], 'core');
		return {
			limit: Number(headers['x-ratelimit-limit']),
			remaining: Number(headers['x-ratelimit-remaining']),
			used: Number(headers['x-ratelimit-used']),
			reset: Number(headers['x-ratelimit-reset']),
		};
	}

	it('counts each request against the token', async () => {
		const login = owner.login;
		const client = octokit(createToken(login, { rateLimit: 50 }));
		const before = Math.floor(Date.now() / 1000);
		const first = await client.users.getAuthenticated();
		assertValid('private-user', first.data);
		const second = await client.repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(second, pub, { isPrivate: false, permissions: ALL });
		const a = rateLimit(first.headers);
		const b = rateLimit(second.headers);
		assert.equal(a.limit, 50);
		assert.equal(a.used, 1);
		assert.equal(a.remaining, 49);
		assert.equal(b.limit, 50);
		assert.equal(b.used, 2);
		assert.equal(b.remaining, 48);
		assert.ok(a.reset > before && a.reset <= before + 3600 + 5, `reset ${a.reset}, now ${before}`);
		assert.equal(b.reset, a.reset);
	});

	it('are present on unlimited tokens, anonymous calls and errors', async () => {
		const ok = await octokit(owner.token).users.getAuthenticated();
		assertValid('private-user', ok.data);
		rateLimit(ok.headers);
		const anonymous = await octokit().repos.get({ owner: pub.owner, repo: pub.repo });
		checkRepository(anonymous, pub, { isPrivate: false, permissions: undefined });
		rateLimit(anonymous.headers);
		const notFound = await assertRequestError(
		    octokit(outsider.token).repos.get({ owner: priv.owner, repo: priv.repo }), 404);
		rateLimit(notFound.response.headers);
		const noToken = await assertRequestError(octokit().users.getAuthenticated(), 401);
		rateLimit(noToken.response.headers);
	});

	// GitHub counts a request with bad credentials against the caller's
	// address and sends the headers; semantics.md: "on every response".
	it('are present on 401 Bad credentials', async () => {
		const badToken = await assertRequestError(octokit('not-a-token').users.getAuthenticated(), 401,
		    'Bad credentials');
		rateLimit(badToken.response.headers);
	});
});
