// Client compatibility of the environments endpoints: octokit's own methods
// (repos.getAllEnvironments, getEnvironment, createOrUpdateEnvironment,
// deleteAnEnvironment, the deployment branch policy and protection rule
// methods) and the request sequences of the clients environments.md quotes
// (bobheadxi/deployments, strumwolf/delete-deployment-environment,
// ExpediaGroup/github-helpers, Terraform's github_repository_environment,
// the gh CLI recipe), every body checked against GitHub's OpenAPI
// description. Names with a slash go through octokit's encoding.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	API_URL, DEPLOY_URL, assertRequestError, assertValid, assertValidResponse, createRepo,
	createUserWithToken, octokit, runGit,
} from './helpers.mjs';

const ENVS = '/repos/{owner}/{repo}/environments';
const ENV = `${ENVS}/{environment_name}`;
const POLICIES = `${ENV}/deployment-branch-policies`;
const POLICY = `${POLICIES}/{branch_policy_id}`;
const RULES = `${ENV}/deployment_protection_rules`;
const DEPLOYMENTS = '/repos/{owner}/{repo}/deployments';
const CUSTOM = { protected_branches: false, custom_branch_policies: true };
const refusal = (kind, name, env) =>
	`${kind} "${name}" is not allowed to deploy to ${env} due to environment protection rules.`;

// ---------------------------------------------------------------------------
// A bare git repository: main, a branch feature-x at main, a tag v1.0.

let gitRoot;
let gitDir;

function makeGitRepository() {
	gitRoot = mkdtempSync(path.join(os.tmpdir(), 'deploy-node-env-git-'));
	const work = path.join(gitRoot, 'work');
	gitDir = path.join(gitRoot, 'repo.git');
	runGit(gitRoot, 'init', '-q', '-b', 'main', work);
	writeFileSync(path.join(work, 'app.txt'), 'one\n');
	runGit(work, 'add', 'app.txt');
	runGit(work, 'commit', '-qm', 'c1');
	runGit(work, 'tag', '-a', 'v1.0', '-m', 'Release 1.0');
	runGit(work, 'branch', 'feature-x');
	runGit(gitRoot, 'clone', '-q', '--bare', work, gitDir);
	return runGit(gitDir, 'rev-parse', 'main');
}

let owner;
let mainSha;

before(() => {
	mainSha = makeGitRepository();
	owner = createUserWithToken({ prefix: 'envowner' });
});

after(() => {
	if (gitRoot)
		rmSync(gitRoot, { recursive: true, force: true });
});

function newRepo() {
	return createRepo(owner.login, undefined, { gitDir });
}

function checkEnvironment(data, repo, name) {
	assertValid('environment', data);
	assert.equal(data.name, name);
	assert.equal(data.url, `${API_URL}/repos/${repo.fullName}/environments/${encodeURIComponent(name)}`);
	assert.equal(data.html_url,
	    `${DEPLOY_URL}/${repo.fullName}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`);
	assert.equal(Buffer.from(data.node_id, 'base64').toString(), `011:Environment${data.id}`);
	assert.equal(typeof data.can_admins_bypass, 'boolean');
	return data;
}

async function getEnvironment(client, repo, name) {
	const res = await client.rest.repos.getEnvironment({ ...repo, environment_name: name });
	assert.equal(res.status, 200);
	assertValidResponse(ENV, 'get', 200, res.data);
	return checkEnvironment(res.data, repo, res.data.name);
}

async function deleteEnvironment(client, repo, name) {
	const res = await client.rest.repos.deleteAnEnvironment({ ...repo, environment_name: name });
	assert.equal(res.status, 204);
	assertValidResponse(ENV, 'delete', 204, res.data);
}

async function listDeployments(client, repo, query) {
	const res = await client.request(`GET ${DEPLOYMENTS}`, { ...repo, ...query });
	assertValidResponse(DEPLOYMENTS, 'get', 200, res.data);
	return res.data;
}

// bobheadxi/deployments `start` (src/steps/start.ts): a transient
// deployment and its in_progress status, with its preview media types.
async function bobheadxiStart(client, repo, environment) {
	const mediaType = { previews: ['ant-man', 'flash'] };
	const d = await client.rest.repos.createDeployment({
		...repo, ref: 'main', task: 'deploy', required_contexts: [], environment,
		description: 'preview', auto_merge: false, transient_environment: true,
		payload: { pr: 12 }, mediaType,
	});
	assert.equal(d.status, 201);
	const s = await client.rest.repos.createDeploymentStatus({
		...repo, deployment_id: d.data.id, state: 'in_progress', log_url: 'https://ci.example.com/1',
		description: 'deploying', ref: 'main', mediaType,
	});
	assert.equal(s.status, 201);
	return d.data.id;
}

// bobheadxi `deactivate-env` (src/lib/deactivate.ts): one page, sequential.
async function bobheadxiDeactivate(client, repo, environment) {
	const deployments = await listDeployments(client, repo, { environment, per_page: 100 });
	for (const d of deployments) {
		const statuses = await client.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: d.id, per_page: 1 });
		if (statuses.data[0]?.state !== 'inactive') {
			await client.rest.repos.createDeploymentStatus({ ...repo, deployment_id: d.id, state: 'inactive' });
		}
	}
	return deployments;
}

describe('implicit creation and the client sequences', () => {
	it('bobheadxi start, then delete-env (preview/pr-12)', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const name = 'preview/pr-12';
		await bobheadxiStart(client, repo, name);
		await bobheadxiStart(client, repo, name);
		const env = await getEnvironment(client, repo, name);
		assert.equal(env.name, name);
		assert.deepEqual(env.protection_rules, []);
		assert.equal(env.deployment_branch_policy, null);
		assert.equal(env.can_admins_bypass, true);

		// delete-env (src/lib/delete.ts): deactivate, delete each, delete the environment.
		const deployments = await bobheadxiDeactivate(client, repo, name);
		assert.equal(deployments.length, 2);
		for (const d of deployments) {
			const res = await client.rest.repos.deleteDeployment({ ...repo, deployment_id: d.id });
			assert.equal(res.status, 204);
		}
		// Deleting every deployment leaves the environment.
		await getEnvironment(client, repo, name);
		await deleteEnvironment(client, repo, name);
		await assertRequestError(client.rest.repos.getEnvironment({ ...repo, environment_name: name }), 404,
		    'Not Found');
		assert.deepEqual(await listDeployments(client, repo, { environment: name }), []);
	});

	it('bobheadxi delete-env deletes an environment that no deployment names', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		await client.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'preview-479' });
		assert.deepEqual(await bobheadxiDeactivate(client, repo, 'preview-479'), []);
		await deleteEnvironment(client, repo, 'preview-479');
		await assertRequestError(client.rest.repos.deleteAnEnvironment({ ...repo, environment_name: 'preview-479' }),
		    404, 'Not Found');
	});

	it('strumwolf delete-deployment-environment v4, requests all at once', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const name = 'Web Vault - US DEV Cloud';
		const ids = [];
		for (let i = 0; i < 5; i++)
			ids.push(await bobheadxiStart(client, repo, name));
		const other = await bobheadxiStart(client, repo, 'staging');

		// page=0 first (it repeats page 1), ref= empty: no filter.
		const list = await listDeployments(client, repo, { environment: name, ref: '', per_page: 100, page: 0 });
		assert.deepEqual(list.map((d) => d.id), [...ids].reverse());
		const mine = list.filter((d) => d.ref === 'main');
		const statuses = await Promise.all(mine.map((d) =>
			client.rest.repos.createDeploymentStatus({ ...repo, deployment_id: d.id, state: 'inactive' })));
		assert.ok(statuses.every((s) => s.status === 201));
		const deleted = await Promise.all(mine.map((d) =>
			client.rest.repos.deleteDeployment({ ...repo, deployment_id: d.id })));
		assert.ok(deleted.every((r) => r.status === 204));
		await getEnvironment(client, repo, name);
		await deleteEnvironment(client, repo, name);
		await assertRequestError(client.rest.repos.getEnvironment({ ...repo, environment_name: name }), 404);
		const rest = await listDeployments(client, repo, {});
		assert.deepEqual(rest.map((d) => d.id), [other]);
	});

	it('ExpediaGroup delete-deployment, serialised: deployment first', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		await bobheadxiStart(client, repo, 'pr-7');
		const [first] = await listDeployments(client, repo, { sha: mainSha, environment: 'pr-7' });
		await client.rest.repos.createDeploymentStatus({ ...repo, deployment_id: first.id, state: 'inactive' });
		assert.equal((await client.rest.repos.deleteDeployment({ ...repo, deployment_id: first.id })).status, 204);
		await deleteEnvironment(client, repo, 'pr-7');
	});

	it('deleting an environment deletes its deployments, whatever their spelling', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const a = await bobheadxiStart(client, repo, 'Staging');
		await client.rest.repos.createDeploymentStatus({ ...repo, deployment_id: a, state: 'success' });
		await bobheadxiStart(client, repo, 'STAGING');
		// The case sequence of environments.md: the first spelling stays.
		const env = await getEnvironment(client, repo, 'staging');
		assert.equal(env.name, 'Staging');
		const put = await client.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'STAGING' });
		assert.equal(put.data.id, env.id);
		assert.equal(put.data.name, 'Staging');
		await deleteEnvironment(client, repo, 'staging');
		assert.deepEqual(await listDeployments(client, repo, {}), []);
	});
});

describe('GET /repos/{owner}/{repo}/environments (repos.getAllEnvironments)', () => {
	it('lists every environment in creation order, with total_count and pages', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const empty = await client.rest.repos.getAllEnvironments({ ...repo });
		assertValidResponse(ENVS, 'get', 200, empty.data);
		assert.deepEqual(empty.data, { total_count: 0, environments: [] });

		const names = [];
		for (let i = 0; i < 12; i++) {
			names.push(`env-${String(i).padStart(2, '0')}`);
			await client.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: names[i] });
		}
		const page = await client.rest.repos.getAllEnvironments({ ...repo, per_page: 5, page: 3 });
		assertValidResponse(ENVS, 'get', 200, page.data);
		assert.equal(page.data.total_count, 12);
		assert.deepEqual(page.data.environments.map((e) => e.name), names.slice(10));
		assert.match(page.headers.link, /rel="prev"/);
		assert.doesNotMatch(page.headers.link, /rel="next"/);

		// octokit.paginate follows rel="next" through every page.
		const all = await client.paginate(client.rest.repos.getAllEnvironments, { ...repo, per_page: 5 });
		assert.deepEqual(all.map((e) => e.name), names);
		for (const e of all)
			checkEnvironment(e, repo, e.name);
	});

	it('is public on a public repository', async () => {
		const repo = newRepo();
		await octokit(owner.token).rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'prod' });
		const res = await octokit().rest.repos.getAllEnvironments({ ...repo });
		assert.equal(res.data.total_count, 1);
		await assertRequestError(octokit().rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'x' }), 401);
	});
});

describe('PUT /repos/{owner}/{repo}/environments/{environment_name}', () => {
	it('Terraform: go-github\'s body, the read, the destroy', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const name = 'production/eu';
		const put = await client.request(`PUT ${ENV}`, {
			...repo, environment_name: name, wait_timer: 0, reviewers: null, can_admins_bypass: true,
			deployment_branch_policy: CUSTOM, prevent_self_review: false,
		});
		assert.equal(put.status, 200);
		assertValidResponse(ENV, 'put', 200, put.data);
		checkEnvironment(put.data, repo, name);
		await client.rest.repos.get({ ...repo });
		const env = await getEnvironment(client, repo, name);
		assert.equal(env.can_admins_bypass, true);
		assert.deepEqual(env.protection_rules.map((r) => r.type), ['branch_policy']);
		assert.equal(Buffer.from(env.protection_rules[0].node_id, 'base64').toString(),
		    `04:Gate${env.protection_rules[0].id}`);
		assert.deepEqual(env.deployment_branch_policy, CUSTOM);

		// The policy resource.
		const created = await client.request(`POST ${POLICIES}`, { ...repo, environment_name: name, name: 'release/*', type: 'branch' });
		assert.equal(created.status, 200);
		assertValidResponse(POLICIES, 'post', 200, created.data);
		assert.equal(Buffer.from(created.data.node_id, 'base64').toString(), `016:GateBranchPolicy${created.data.id}`);
		const read = await client.rest.repos.getDeploymentBranchPolicy({ ...repo, environment_name: name, branch_policy_id: created.data.id });
		assertValidResponse(POLICY, 'get', 200, read.data);
		assert.deepEqual(read.data, created.data);
		const renamed = await client.rest.repos.updateDeploymentBranchPolicy({ ...repo, environment_name: name, branch_policy_id: created.data.id, name: 'hotfix/*' });
		assertValidResponse(POLICY, 'put', 200, renamed.data);
		assert.equal(renamed.data.name, 'hotfix/*');
		assert.equal(renamed.data.type, 'branch');
		const gone = await client.rest.repos.deleteDeploymentBranchPolicy({ ...repo, environment_name: name, branch_policy_id: created.data.id });
		assert.equal(gone.status, 204);
		assertValidResponse(POLICY, 'delete', 204, gone.data);

		// go-github's re-PUT of the policy alone.
		const again = await client.request(`PUT ${ENV}`, { ...repo, environment_name: name, deployment_branch_policy: CUSTOM });
		assert.equal(again.data.protection_rules[0].id, env.protection_rules[0].id);
		await deleteEnvironment(client, repo, name);
		// Destroy swallows the 404 of an environment already gone.
		await assertRequestError(client.rest.repos.deleteAnEnvironment({ ...repo, environment_name: name }), 404);
	});

	it('refuses the settings this server cannot honour, storing nothing', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const cases = [
			[{ wait_timer: 30 }, 'wait_timer is not supported: this server runs no workflow jobs to delay. Send 0 or omit it.'],
			[{ reviewers: [{ type: 'User', id: 1 }] }, 'reviewers are not supported: this server runs no workflow jobs to approve. Send null or [] or omit it.'],
			[{ prevent_self_review: true }, 'prevent_self_review is not supported: this server has no required reviewers. Send false or omit it.'],
			[{ deployment_branch_policy: { protected_branches: true, custom_branch_policies: false } },
			    'protected_branches is not supported: this server has no branch protection rules. Use custom_branch_policies.'],
			[{ deployment_branch_policy: { protected_branches: true, custom_branch_policies: true } },
			    'Exactly one of protected_branches and custom_branch_policies must be true.'],
		];
		for (const [body, message] of cases) {
			const err = await assertRequestError(client.request(`PUT ${ENV}`, { ...repo, environment_name: 'prod', ...body }), 422, message);
			assertValidResponse(ENV, 'put', 422, err.response.data);
		}
		const err = await assertRequestError(client.request(`PUT ${ENV}`, { ...repo, environment_name: 'prod', wait_timer: 50000 }), 422, 'Validation Failed');
		assertValid('validation-error', err.response.data);
		assert.deepEqual(err.response.data.errors, [{ resource: 'Environment', field: 'wait_timer', code: 'invalid' }]);
		assert.equal((await client.rest.repos.getAllEnvironments({ ...repo })).data.total_count, 0);
	});
});

describe('deployment branch policies', () => {
	it('the gh CLI recipe: only main and v* tags deploy', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		const name = 'preview/pr-12';
		await client.request(`PUT ${ENV}`, { ...repo, environment_name: name, deployment_branch_policy: CUSTOM });
		const empty = await client.rest.repos.listDeploymentBranchPolicies({ ...repo, environment_name: name });
		assertValidResponse(POLICIES, 'get', 200, empty.data);
		assert.deepEqual(empty.data, { total_count: 0, branch_policies: [] });
		const main = await client.rest.repos.createDeploymentBranchPolicy({ ...repo, environment_name: name, name: 'main' });
		assert.equal(main.data.type, 'branch');
		const tag = await client.rest.repos.createDeploymentBranchPolicy({ ...repo, environment_name: name, name: 'v*', type: 'tag' });
		assert.equal(tag.data.type, 'tag');
		// The same policy again: 303 to it, which fetch follows.
		const same = await client.rest.repos.createDeploymentBranchPolicy({ ...repo, environment_name: name, name: 'main' });
		assert.equal(same.status, 200);
		assert.deepEqual(same.data, main.data);
		const list = await client.rest.repos.listDeploymentBranchPolicies({ ...repo, environment_name: name });
		assert.equal(list.data.total_count, 2);
		for (const p of list.data.branch_policies)
			assertValid('deployment-branch-policy', p);

		const err = await assertRequestError(client.rest.repos.createDeployment({ ...repo, ref: 'feature-x', environment: name }),
		    422, refusal('Branch', 'feature-x', name));
		assertValid('basic-error', err.response.data);
		assert.equal((await client.rest.repos.createDeployment({ ...repo, ref: 'main', environment: name })).status, 201);
		assert.equal((await client.rest.repos.createDeployment({ ...repo, ref: 'v1.0', environment: name })).status, 201);
		assert.equal((await listDeployments(client, repo, { environment: name })).length, 2);
	});

	it('404 while the environment has no custom branch policies', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		await assertRequestError(client.rest.repos.listDeploymentBranchPolicies({ ...repo, environment_name: 'prod' }), 404);
		await client.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'prod' });
		await assertRequestError(client.rest.repos.listDeploymentBranchPolicies({ ...repo, environment_name: 'prod' }), 404);
		await assertRequestError(client.rest.repos.createDeploymentBranchPolicy({ ...repo, environment_name: 'prod', name: 'main' }), 404);
	});
});

describe('custom deployment protection rules', () => {
	it('none exist, and none can be made', async () => {
		const client = octokit(owner.token);
		const repo = newRepo();
		await client.rest.repos.createOrUpdateEnvironment({ ...repo, environment_name: 'prod' });
		const rules = await client.rest.repos.getAllDeploymentProtectionRules({ ...repo, environment_name: 'prod' });
		assertValidResponse(RULES, 'get', 200, rules.data);
		assert.deepEqual(rules.data, { total_count: 0, custom_deployment_protection_rules: [] });
		const apps = await client.rest.repos.listCustomDeploymentRuleIntegrations({ ...repo, environment_name: 'prod' });
		assertValidResponse(`${RULES}/apps`, 'get', 200, apps.data);
		assert.equal(apps.data.total_count, 0);
		const err = await assertRequestError(client.rest.repos.createDeploymentProtectionRule({ ...repo, environment_name: 'prod', integration_id: 5 }),
		    422, 'Custom deployment protection rules are not supported: this server has no GitHub Apps.');
		assertValid('basic-error', err.response.data);
		await assertRequestError(client.rest.repos.getCustomDeploymentProtectionRule({ ...repo, environment_name: 'prod', protection_rule_id: 1 }), 404);
	});
});
