// Client compatibility of commit statuses, merges and the checks a
// deployment makes: octokit's repos.createCommitStatus,
// listCommitStatusesForRef, getCombinedStatusForRef, merge, and
// createDeployment's 202 (auto-merged) and 409 (merge conflict, failing
// contexts) answers, every body checked against GitHub's OpenAPI
// description.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	API_URL, assertRequestError, assertValid, assertValidResponse, createRepo,
	createUserWithToken, octokit, runGit,
} from './helpers.mjs';

const CREATE = '/repos/{owner}/{repo}/statuses/{sha}';
const LIST = '/repos/{owner}/{repo}/commits/{ref}/statuses';
const COMBINED = '/repos/{owner}/{repo}/commits/{ref}/status';
const COMMIT = '/repos/{owner}/{repo}/commits/{ref}';
const MERGES = '/repos/{owner}/{repo}/merges';
const DEPLOYMENTS = '/repos/{owner}/{repo}/deployments';

// ---------------------------------------------------------------------------
// Bare git repositories, one per test that changes one:
//   c1 (v1.0) -- c2 = main -- a1 = ahead
//     |\-- b1 = behind     (merges cleanly with main)
//     \--- x1 = conflict   (conflicts with main)

const roots = [];

function makeGitRepository() {
	const root = mkdtempSync(path.join(os.tmpdir(), 'deploy-node-cs-'));
	roots.push(root);
	const work = path.join(root, 'work');
	const bare = path.join(root, 'repo.git');
	const write = (name, text) => writeFileSync(path.join(work, name), text);
	runGit(root, 'init', '-q', '-b', 'main', work);
	write('app.txt', 'one\n');
	runGit(work, 'add', 'app.txt');
	runGit(work, 'commit', '-qm', 'c1');
	runGit(work, 'tag', '-a', 'v1.0', '-m', 'Release 1.0');
	runGit(work, 'checkout', '-qb', 'behind');
	write('other.txt', 'other\n');
	runGit(work, 'add', 'other.txt');
	runGit(work, 'commit', '-qm', 'b1');
	runGit(work, 'checkout', '-q', 'main');
	runGit(work, 'checkout', '-qb', 'conflict');
	write('app.txt', 'conflicting\n');
	runGit(work, 'commit', '-qam', 'x1');
	runGit(work, 'checkout', '-q', 'main');
	write('app.txt', 'two\n');
	runGit(work, 'commit', '-qam', 'c2');
	runGit(work, 'checkout', '-qb', 'ahead');
	write('feature.txt', 'feature\n');
	runGit(work, 'add', 'feature.txt');
	runGit(work, 'commit', '-qm', 'a1');
	runGit(work, 'checkout', '-q', 'main');
	runGit(root, 'clone', '-q', '--bare', work, bare);
	const head = (rev) => runGit(bare, 'rev-parse', rev);
	return {
		dir: bare,
		head,
		main: head('main'),
		behind: head('behind'),
		conflict: head('conflict'),
		ahead: head('ahead'),
	};
}

let owner;

before(() => {
	owner = createUserWithToken({ prefix: 'cs' });
});

after(() => {
	for (const root of roots)
		rmSync(root, { recursive: true, force: true });
});

// A new repository on a new git repository: { repo, git }.
function freshRepo() {
	const git = makeGitRepository();
	return { repo: createRepo(owner.login, undefined, { gitDir: git.dir }), git };
}

function checkStatus(s, repo, sha) {
	assertValid('status', s);
	assert.equal(s.url, `${API_URL}/repos/${repo.fullName}/statuses/${sha}`);
	assert.equal(Buffer.from(s.node_id, 'base64').toString(), `06:Status${s.id}`);
	assert.equal(s.creator.login, owner.login);
	assert.equal(s.avatar_url, s.creator.avatar_url);
}

// ---------------------------------------------------------------------------

describe('commit statuses', () => {
	it('repos.createCommitStatus: 201 with the status object', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		const res = await client.repos.createCommitStatus({
			...repo, sha: git.main, state: 'success', context: 'ci/build',
			description: 'Built', target_url: 'https://ci.example.com/1',
		});
		assert.equal(res.status, 201);
		assertValidResponse(CREATE, 'post', 201, res.data);
		checkStatus(res.data, repo, git.main);
		assert.equal(res.headers.location, res.data.url);
		assert.equal(res.data.state, 'success');
		assert.equal(res.data.context, 'ci/build');
		assert.equal(res.data.description, 'Built');
		assert.equal(res.data.target_url, 'https://ci.example.com/1');

		// Defaults: context "default", description and target_url null.
		const plain = await client.repos.createCommitStatus({ ...repo, sha: git.main, state: 'pending' });
		assertValidResponse(CREATE, 'post', 201, plain.data);
		assert.equal(plain.data.context, 'default');
		assert.equal(plain.data.description, null);
		assert.equal(plain.data.target_url, null);

		// A SHA that is not in the repository; a state not in the list.
		let err = await assertRequestError(client.repos.createCommitStatus({
			...repo, sha: '0'.repeat(40), state: 'success',
		}), 422, `No commit found for SHA: ${'0'.repeat(40)}`);
		assertValid('basic-error', err.response.data);
		err = await assertRequestError(client.repos.createCommitStatus({
			...repo, sha: git.main, state: 'inactive',
		}), 422, 'Validation Failed');
		assertValid('validation-error', err.response.data);
		assert.deepEqual(err.response.data.errors, [{
			resource: 'Status', field: 'state', code: 'custom', message: 'state is not included in the list',
		}]);
	});

	it('repos.listCommitStatusesForRef: newest first, paginated', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		const ids = [];
		for (let i = 0; i < 5; i++) {
			const res = await client.repos.createCommitStatus({
				...repo, sha: git.main, state: i % 2 ? 'failure' : 'success', context: `ci/${i % 2}`,
			});
			ids.push(res.data.id);
		}
		for (const ref of ['main', git.main]) {
			const res = await client.repos.listCommitStatusesForRef({ ...repo, ref });
			assert.equal(res.status, 200);
			assertValidResponse(LIST, 'get', 200, res.data);
			assert.deepEqual(res.data.map((s) => s.id), [...ids].reverse());
			for (const s of res.data)
				checkStatus(s, repo, git.main);
		}
		// octokit.paginate follows the Link header.
		const pages = [];
		const all = await client.paginate(client.repos.listCommitStatusesForRef,
		    { ...repo, ref: 'main', per_page: 2 }, (response) => {
			    assertValidResponse(LIST, 'get', 200, response.data);
			    pages.push(response.data.length);
			    return response.data;
		    });
		assert.deepEqual(pages, [2, 2, 1]);
		assert.deepEqual(all.map((s) => s.id), [...ids].reverse());
		// The tag's commit has none.
		const tagged = await client.repos.listCommitStatusesForRef({ ...repo, ref: 'v1.0' });
		assert.deepEqual(tagged.data, []);
	});

	it('repos.getCombinedStatusForRef: GitHub\'s combined rule, latest per context', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		const combined = async (ref = 'main') => {
			const res = await client.repos.getCombinedStatusForRef({ ...repo, ref });
			assert.equal(res.status, 200);
			assertValidResponse(COMBINED, 'get', 200, res.data);
			assertValid('combined-commit-status', res.data);
			assertValid('minimal-repository', res.data.repository);
			return res.data;
		};
		const post = (state, context) => client.repos.createCommitStatus({ ...repo, sha: git.main, state, context });

		let c = await combined();
		assert.equal(c.state, 'pending');
		assert.equal(c.total_count, 0);
		assert.deepEqual(c.statuses, []);
		assert.equal(c.sha, git.main);
		assert.equal(c.repository.full_name, repo.fullName);
		assert.equal(c.commit_url, `${API_URL}/repos/${repo.fullName}/commits/${git.main}`);
		assert.equal(c.url, `${c.commit_url}/status`);

		await post('error', 'ci/a');
		assert.equal((await combined()).state, 'failure');
		const latest = await post('success', 'ci/a');
		assert.equal((await combined()).state, 'success');
		await post('pending', 'ci/b');
		assert.equal((await combined()).state, 'pending');
		await post('failure', 'ci/c');
		assert.equal((await combined()).state, 'failure');
		await post('success', 'ci/c');
		await post('success', 'ci/b');
		c = await combined(git.main);
		assert.equal(c.state, 'success');
		assert.equal(c.total_count, 3);
		assert.deepEqual(c.statuses.map((s) => s.context), ['ci/a', 'ci/b', 'ci/c']);
		assert.equal(c.statuses[0].id, latest.data.id);
		for (const s of c.statuses)
			assertValid('simple-commit-status', s);

		await assertRequestError(client.repos.getCombinedStatusForRef({ ...repo, ref: 'nothing' }), 404,
		    'No commit found for SHA: nothing');
	});
});

describe('commits', () => {
	it('repos.getCommit: GitHub\'s commit object from the git directory, 422 for an unknown ref', async () => {
		const git = makeGitRepository();
		const repo = createRepo(owner.login, undefined, { gitDir: git.dir });
		const client = octokit(owner.token);
		const res = await client.repos.getCommit({ ...repo, ref: 'main' });
		assert.equal(res.status, 200);
		assertValidResponse(COMMIT, 'get', 200, res.data);
		assert.equal(res.data.sha, git.main);
		assert.equal(res.data.commit.message, 'c2\n');
		assert.equal(res.data.commit.author.email, 'tests@example.com');
		assert.equal(res.data.commit.tree.sha, git.head('main^{tree}'));
		assert.deepEqual(res.data.parents.map((p) => p.sha), [git.head('main~1')]);
		assert.equal(res.data.url, `${API_URL}/repos/${repo.fullName}/commits/${git.main}`);
		// A tag peels to its commit; an abbreviated SHA resolves.
		assert.equal((await client.repos.getCommit({ ...repo, ref: 'v1.0' })).data.sha, git.head('v1.0^{commit}'));
		assert.equal((await client.repos.getCommit({ ...repo, ref: git.ahead.slice(0, 8) })).data.sha, git.ahead);
		const missing = await assertRequestError(client.repos.getCommit({ ...repo, ref: 'no-such-ref' }), 422,
		    'No commit found for SHA: no-such-ref');
		assertValidResponse(COMMIT, 'get', 422, missing.response.data, { errorSchema: 'basic-error' });
	});

	it('GET /repos/{owner}/{repo}/statuses/{ref}: the legacy name of listCommitStatusesForRef', async () => {
		const git = makeGitRepository();
		const repo = createRepo(owner.login, undefined, { gitDir: git.dir });
		const client = octokit(owner.token);
		for (const state of ['pending', 'success'])
			await client.repos.createCommitStatus({ ...repo, sha: git.main, state, context: 'ci' });
		const modern = await client.repos.listCommitStatusesForRef({ ...repo, ref: 'main' });
		const legacy = await client.request('GET /repos/{owner}/{repo}/statuses/{ref}', { ...repo, ref: 'main' });
		assertValidResponse(LIST, 'get', 200, legacy.data);
		assert.deepEqual(legacy.data, modern.data);
		assert.deepEqual(legacy.data.map((s) => s.state), ['success', 'pending']);
	});
});

describe('POST /repos/{owner}/{repo}/merges (repos.merge)', () => {
	it('201 merge commit, 204 nothing to merge, 409 conflict, 404 missing base or head', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		const res = await client.repos.merge({ ...repo, base: 'behind', head: 'main' });
		assert.equal(res.status, 201);
		assertValidResponse(MERGES, 'post', 201, res.data);
		assertValid('commit', res.data);
		assert.equal(res.data.sha, git.head('behind'));
		assert.deepEqual(res.data.parents.map((p) => p.sha), [git.behind, git.main]);
		assert.equal(res.data.commit.message, 'Merge main into behind');
		assert.equal(res.data.author.login, owner.login);
		assert.equal(runGit(git.dir, 'log', '-1', '--format=%P', 'behind'), `${git.behind} ${git.main}`);

		const again = await client.repos.merge({ ...repo, base: 'behind', head: 'main' });
		assert.equal(again.status, 204);
		assertValidResponse(MERGES, 'post', 204, again.data);

		let err = await assertRequestError(client.repos.merge({ ...repo, base: 'main', head: 'conflict' }),
		    409, 'Merge Conflict');
		assertValidResponse(MERGES, 'post', 409, err.response.data, { errorSchema: 'basic-error' });
		assert.equal(git.head('main'), git.main);
		err = await assertRequestError(client.repos.merge({ ...repo, base: 'nope', head: 'main' }),
		    404, 'Base does not exist');
		assertValidResponse(MERGES, 'post', 404, err.response.data, { errorSchema: 'basic-error' });
		err = await assertRequestError(client.repos.merge({ ...repo, base: 'main', head: 'nope' }),
		    404, 'Head does not exist');
		assertValidResponse(MERGES, 'post', 404, err.response.data, { errorSchema: 'basic-error' });
	});
});

describe('POST /repos/{owner}/{repo}/deployments: auto_merge and required_contexts', () => {
	it('202 when the default branch was merged into the ref; the next create is 201', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		const res = await client.repos.createDeployment({ ...repo, ref: 'behind' });
		assert.equal(res.status, 202);
		assertValidResponse(DEPLOYMENTS, 'post', 202, res.data);
		assert.deepEqual(res.data, { message: 'Auto-merged main into behind on deployment.' });
		const merge = git.head('behind');
		assert.equal(runGit(git.dir, 'log', '-1', '--format=%P', 'behind'), `${git.behind} ${git.main}`);
		assert.equal(runGit(git.dir, 'log', '-1', '--format=%s', 'behind'), "Merge branch 'main' into behind");

		const created = await client.repos.createDeployment({ ...repo, ref: 'behind' });
		assert.equal(created.status, 201);
		assertValidResponse(DEPLOYMENTS, 'post', 201, created.data);
		assert.equal(created.data.sha, merge);
	});

	it('409 on a merge conflict, the branch unchanged', async () => {
		const { repo, git } = freshRepo();
		const err = await assertRequestError(octokit(owner.token).repos.createDeployment({ ...repo, ref: 'conflict' }),
		    409, 'Conflict merging main into conflict.');
		assertValidResponse(DEPLOYMENTS, 'post', 409, err.response.data, { errorSchema: 'basic-error' });
		assert.equal(git.head('conflict'), git.conflict);
	});

	it('409 listing the failing contexts; [] and force skip the check', async () => {
		const { repo, git } = freshRepo();
		const client = octokit(owner.token);
		await client.repos.createCommitStatus({ ...repo, sha: git.main, state: 'success', context: 'ci/a' });
		await client.repos.createCommitStatus({ ...repo, sha: git.main, state: 'failure', context: 'ci/b' });

		let err = await assertRequestError(client.repos.createDeployment({ ...repo, ref: 'main' }),
		    409, 'Conflict: Commit status checks failed for main.');
		assertValidResponse(DEPLOYMENTS, 'post', 409, err.response.data, { errorSchema: 'validation-error' });
		assert.deepEqual(err.response.data.errors, [{
			resource: 'Deployment', field: 'required_contexts', code: 'invalid',
			contexts: [{ context: 'ci/b', state: 'failure' }],
		}]);
		err = await assertRequestError(client.repos.createDeployment({
			...repo, ref: 'main', required_contexts: ['ci/a', 'ci/z'],
		}), 409, 'Conflict: Commit status checks failed for main.');
		assertValidResponse(DEPLOYMENTS, 'post', 409, err.response.data, { errorSchema: 'validation-error' });
		assert.deepEqual(err.response.data.errors[0].contexts, [{ context: 'ci/z', state: 'missing' }]);

		const named = await client.repos.createDeployment({ ...repo, ref: 'main', required_contexts: ['ci/a'] });
		assert.equal(named.status, 201);
		const none = await client.repos.createDeployment({ ...repo, ref: 'main', required_contexts: [] });
		assert.equal(none.status, 201);
		assertValidResponse(DEPLOYMENTS, 'post', 201, none.data);
		// force is not in the current description; octokit passes it through.
		const forced = await client.request('POST /repos/{owner}/{repo}/deployments', { ...repo, ref: 'main', force: true });
		assert.equal(forced.status, 201);
		assertValidResponse(DEPLOYMENTS, 'post', 201, forced.data);
	});
});
