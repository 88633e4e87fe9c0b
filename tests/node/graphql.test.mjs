// The GraphQL endpoint (shared/spec/graphql.md) with GitHub's own client,
// @octokit/graphql, as branch-deploy and Backstage use it. Every query is
// first validated against GitHub's published schema (@octokit/graphql-
// schema, with graphql-js), so the tests only send what GitHub accepts; the
// queries of graphql.md section 9 run verbatim.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';

import { graphql as octokitGraphql, GraphqlResponseError } from '@octokit/graphql';
import { schema as githubSchema } from '@octokit/graphql-schema';
import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';

import {
	API_URL, DEPLOY_URL, createRepo, createUserWithToken, octokit, runGit,
} from './helpers.mjs';

// GitHub's published SDL defines a few fields twice, which graphql-js
// refuses unless told the SDL is valid.
const GITHUB_SCHEMA = buildSchema(githubSchema.idl, { assumeValidSDL: true });
const SHA = '315cec138fc9d7dbc8a47c6bba4217d3965ede3b';
const SHA2 = 'a'.repeat(40);

// Fails unless query is valid against GitHub's schema.
function assertValidOnGitHub(query) {
	const errors = validate(GITHUB_SCHEMA, parse(query));
	assert.deepEqual(errors.map((e) => e.message), [], 'not valid on GitHub');
}

// A client as branch-deploy's (@actions/github) is built: a GHES base URL.
function client(token, baseUrl = API_URL) {
	const gql = octokitGraphql.defaults({ baseUrl, headers: { authorization: `token ${token}` } });
	return (query, variables = {}) => {
		assertValidOnGitHub(query);
		return gql(query, variables);
	};
}

// The raw answer (status, headers, body), for errors octokit throws on.
async function post(token, body, path = '/api/graphql') {
	const res = await fetch(`${DEPLOY_URL}${path}`, {
		method: 'POST',
		headers: { authorization: `bearer ${token}`, 'content-type': 'application/json' },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { status: res.status, headers: res.headers, body: await res.json() };
}

// A repository of login's over a bare git repository whose main has one
// commit: the repository, main's SHA, and the directory to remove.
function createGitRepo(login) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-gql-git-'));
	const work = path.join(dir, 'work');
	runGit(dir, 'init', '-q', '-b', 'main', work);
	writeFileSync(path.join(work, 'a.txt'), 'a\n');
	runGit(work, 'add', 'a.txt');
	runGit(work, 'commit', '-qm', 'one');
	runGit(dir, 'clone', '-q', '--bare', work, path.join(dir, 'repo.git'));
	const sha = runGit(work, 'rev-parse', 'HEAD');
	return { repo: createRepo(login, undefined, { gitDir: path.join(dir, 'repo.git') }), sha, dir };
}

async function postValid(token, query, variables) {
	assertValidOnGitHub(query);
	return post(token, { query, variables });
}

// graphql.md 9.1, verbatim (whitespace included).
const BRANCH_DEPLOY_V12 = `
    query BranchDeployments($repo_owner: String!, $repo_name: String!, $environment: String!, $first: Int!, $cursor: String) {
      repository(owner: $repo_owner, name: $repo_name) {
        id
        nameWithOwner
        deployments(environments: [$environment], first: $first, after: $cursor, orderBy: { field: CREATED_AT, direction: DESC }) {
          nodes {
            createdAt
            environment
            id
            payload
            state
            commit {
              oid
            }
          }
          pageInfo {
            endCursor
            hasNextPage
          }
        }
      }
    }
`;

// graphql.md 9.2, page 1 (the template's ${page} as null).
const BRANCH_DEPLOY_V11 = `
    query ($repo_owner: String!, $repo_name: String!, $environment: String!) {
      repository(owner: $repo_owner, name: $repo_name) {
        deployments(environments: [$environment], first: 100, after: null, orderBy: { field: CREATED_AT, direction: DESC }) {
          nodes {
            createdAt
            environment
            updatedAt
            id
            payload
            state
            ref {
              name
            }
            creator {
              login
            }
            commit {
              oid
            }
          }
          pageInfo {
            endCursor
            hasNextPage
          }
        }
      }
    }
`;

// graphql.md 9.3, the current Backstage plugin before 0.6.0.
const BACKSTAGE = `
query deployments($owner: String!, $repo: String!, $last: Int, $lastStatuses: Int) {
  repository(owner: $owner, name: $repo) {
    deployments(last: $last) {
      nodes {
        state
        environment
        updatedAt
        commit {
          abbreviatedOid
          commitUrl
        }
        statuses(last: $lastStatuses) {
          nodes {
            logUrl
          }
        }
        creator {
          login
        }
        repository {
          nameWithOwner
        }
        payload
      }
    }
  }
}
`;

// 9.3, the plugin 0.6.0 text: not valid GraphQL, answered with GitHub's parse error.
const BACKSTAGE_060 = `
query deployments($owner: String!, $repo: String!, environments: [String!] $last: Int, $lastStatuses: Int) {
  repository(owner: $owner, name: $repo) {
    deployments(last: $last, environments: $environments) {
      nodes {
        state
      }
    }
  }
}
`;

// 9.4, shields.io's badge.
const SHIELDS = `
        query ($user: String!, $repo: String!, $environment: String!) {
          repository(owner: $user, name: $repo) {
            deployments(last: 1, environments: [$environment]) {
              nodes {
                latestStatus {
                  state
                }
              }
            }
          }
        }
`;

describe('GraphQL', () => {
	let alice, rest, repo, gql, first, second;

	before(async () => {
		alice = createUserWithToken({ prefix: 'gql' });
		rest = octokit(alice.token);
		repo = createRepo(alice.login);
		gql = client(alice.token);
		const create = async (environment, sha, payload) => (await rest.request(
		    'POST /repos/{owner}/{repo}/deployments', {
			...repo, ref: sha, environment, payload, auto_merge: false, required_contexts: [],
		})).data;
		first = await create('production', SHA, { type: 'branch-deploy', sha: SHA });
		second = await create('staging', SHA2, 'plain');
		await rest.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
			...repo, deployment_id: first.id, state: 'success', log_url: 'https://ci.example/1',
		});
	});

	it('serves branch-deploy v12 verbatim, and sees the active deployment after success', async () => {
		const vars = { repo_owner: repo.owner, repo_name: repo.repo, environment: 'production', first: 1, cursor: null };
		const data = await gql(BRANCH_DEPLOY_V12, vars);
		const r = data.repository;
		assert.equal(r.id, (await rest.request('GET /repos/{owner}/{repo}', repo)).data.node_id);
		assert.equal(r.nameWithOwner.toLowerCase(), repo.fullName.toLowerCase());
		assert.equal(r.deployments.nodes.length, 1);
		const node = r.deployments.nodes[0];
		assert.equal(node.id, first.node_id);
		assert.equal(node.environment, 'production');
		assert.equal(node.state, 'ACTIVE');
		assert.equal(node.commit.oid, SHA);
		assert.equal(node.createdAt, first.created_at);
		// Two layers of JSON, as GitHub sends (graphql.md 3.1).
		assert.deepEqual(JSON.parse(JSON.parse(node.payload)), { type: 'branch-deploy', sha: SHA });
		assert.equal(r.deployments.pageInfo.hasNextPage, false);
		assert.ok(r.deployments.pageInfo.endCursor);
	});

	it('serves branch-deploy v9 to v11 page 1 verbatim', async () => {
		const data = await gql(BRANCH_DEPLOY_V11, { repo_owner: repo.owner, repo_name: repo.repo, environment: 'production' });
		const nodes = data.repository.deployments.nodes;
		assert.equal(nodes.length, 1);
		assert.equal(nodes[0].state, 'ACTIVE');
		assert.equal(nodes[0].creator.login, alice.login);
		// Made from a SHA in a repository without git: no Ref.
		assert.equal(nodes[0].ref, null);
	});

	it('serves the Backstage query verbatim, oldest first, with the undeclared host ignored', async () => {
		const data = await gql(BACKSTAGE, { host: 'github.com', owner: repo.owner, repo: repo.repo, last: 10, lastStatuses: 5 });
		const nodes = data.repository.deployments.nodes;
		assert.deepEqual(nodes.map((n) => n.environment), ['production', 'staging']);
		assert.equal(nodes[0].commit.abbreviatedOid, SHA.slice(0, 7));
		assert.match(nodes[0].commit.commitUrl, new RegExp(`/${repo.owner}/${repo.repo}/commit/${SHA}$`));
		assert.deepEqual(nodes[0].statuses.nodes, [{ logUrl: 'https://ci.example/1' }]);
		assert.equal(nodes[1].state, 'PENDING');
		assert.equal(nodes[1].payload, JSON.stringify('"plain"'));
		assert.equal(nodes[1].repository.nameWithOwner, repo.fullName);
		const counts = await gql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
		  deployments(first: 10) { nodes { statuses { totalCount } } } } }`, { o: repo.owner, n: repo.repo });
		assert.deepEqual(counts.repository.deployments.nodes.map((n) => n.statuses.totalCount), [1, 0]);
		const byCommit = await gql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
		  deployments(last: 1) { nodes { commit { deployments(first: 5) { totalCount nodes { databaseId } } } } } } }`,
		    { o: repo.owner, n: repo.repo });
		assert.deepEqual(byCommit.repository.deployments.nodes[0].commit.deployments,
		    { totalCount: 1, nodes: [{ databaseId: second.id }] });
	});

	it('answers the Backstage 0.6.0 text with GitHub\'s parse error', async () => {
		const { status, body } = await post(alice.token, { query: BACKSTAGE_060, variables: { owner: repo.owner, repo: repo.repo } });
		assert.equal(status, 200);
		assert.deepEqual(body, { errors: [{ message: 'Expected VAR_SIGN, actual: IDENTIFIER ("environments") at [2, 52]', locations: [{ line: 2, column: 52 }] }] });
	});

	it('serves shields.io\'s badge query', async () => {
		const data = await gql(SHIELDS, { user: repo.owner, repo: repo.repo, environment: 'production' });
		assert.deepEqual(data.repository.deployments.nodes, [{ latestStatus: { state: 'SUCCESS' } }]);
	});

	it('shows no active deployment after an inactive status', async () => {
		const other = createRepo(alice.login);
		const d = (await rest.request('POST /repos/{owner}/{repo}/deployments', {
			...other, ref: SHA, environment: 'production', auto_merge: false, required_contexts: [],
		})).data;
		const status = (state) => rest.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
			...other, deployment_id: d.id, state,
		});
		const vars = { repo_owner: other.owner, repo_name: other.repo, environment: 'production', first: 1, cursor: null };
		await status('success');
		assert.equal((await gql(BRANCH_DEPLOY_V12, vars)).repository.deployments.nodes[0].state, 'ACTIVE');
		await status('inactive');
		const nodes = (await gql(BRANCH_DEPLOY_V12, vars)).repository.deployments.nodes;
		assert.equal(nodes[0].state, 'INACTIVE');
	});

	it('pages with cursors in either direction, edges and totalCount', async () => {
		const q = `query($o: String!, $n: String!, $after: String) {
		  repository(owner: $o, name: $n) {
		    deployments(first: 1, after: $after) {
		      totalCount
		      edges { cursor node { databaseId } }
		      pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
		    }
		  }
		}`;
		const p1 = (await gql(q, { o: repo.owner, n: repo.repo })).repository.deployments;
		assert.equal(p1.totalCount, 2);
		assert.equal(p1.edges[0].node.databaseId, first.id);
		assert.equal(p1.edges[0].cursor, p1.pageInfo.endCursor);
		assert.deepEqual([p1.pageInfo.hasNextPage, p1.pageInfo.hasPreviousPage], [true, false]);
		const p2 = (await gql(q, { o: repo.owner, n: repo.repo, after: p1.pageInfo.endCursor })).repository.deployments;
		assert.equal(p2.edges[0].node.databaseId, second.id);
		assert.deepEqual([p2.pageInfo.hasNextPage, p2.pageInfo.hasPreviousPage], [false, true]);
	});

	it('has aliases, fragments, @include/@skip and __typename', async () => {
		const q = `query($o: String!, $n: String!, $yes: Boolean!) {
		  r: repository(owner: $o, name: $n) {
		    __typename
		    newest: deployments(last: 1) { nodes { ...D } }
		    oldest: deployments(first: 1) { nodes { ... on Deployment { task } id @skip(if: $yes) } }
		    name @include(if: $yes)
		  }
		}
		fragment D on Deployment { __typename environment databaseId }`;
		const data = await gql(q, { o: repo.owner, n: repo.repo, yes: true });
		assert.deepEqual(data, { r: {
			__typename: 'Repository',
			newest: { nodes: [{ __typename: 'Deployment', environment: 'staging', databaseId: second.id }] },
			oldest: { nodes: [{ task: 'deploy' }] },
			name: repo.repo,
		} });
	});

	it('resolves node and nodes by REST node_id, viewer and rateLimit', async () => {
		const q = `query($id: ID!, $ids: [ID!]!) {
		  node(id: $id) { __typename id ... on Deployment { databaseId latestStatus { state deployment { databaseId } } } }
		  nodes(ids: $ids) { id }
		  viewer { login }
		  rateLimit { cost limit remaining used nodeCount }
		}`;
		const data = await gql(q, { id: first.node_id, ids: [second.node_id] });
		assert.equal(data.node.__typename, 'Deployment');
		assert.equal(data.node.databaseId, first.id);
		assert.deepEqual(data.node.latestStatus, { state: 'SUCCESS', deployment: { databaseId: first.id } });
		assert.deepEqual(data.nodes, [{ id: second.node_id }]);
		assert.equal(data.viewer.login, alice.login);
		assert.equal(data.rateLimit.cost, 1);
		const dry = await gql('{ repository(owner: "x", name: "y") { id } rateLimit(dryRun: true) { cost nodeCount } }');
		assert.deepEqual(dry, { repository: null, rateLimit: { cost: 1, nodeCount: 0 } });
	});

	it('counts against a GraphQL budget of its own, on /graphql too', async () => {
		const { status, headers, body } = await post(alice.token, { query: '{ viewer { login } }' }, '/graphql');
		assert.equal(status, 200);
		assert.equal(headers.get('x-ratelimit-resource'), 'graphql');
		assert.deepEqual(body, { data: { viewer: { login: alice.login } } });
		// X-GitHub-Api-Version is REST's: GraphQL accepts and ignores any.
		const res = await fetch(`${DEPLOY_URL}/graphql`, { method: 'POST', body: JSON.stringify({ query: '{ viewer { login } }' }),
			headers: { authorization: `bearer ${alice.token}`, 'x-github-api-version': '1999-01-01',
				accept: 'application/vnd.github.merge-info-preview+json' } });
		assert.equal(res.status, 200);
	});

	it('matches names exactly: a NUL cuts no name short', async () => {
		const q = 'query($o: String!, $n: String!, $e: [String!]) { repository(owner: $o, name: $n) { deployments(environments: $e) { totalCount } } }';
		let { body } = await postValid(alice.token, q, { o: repo.owner, n: `${repo.repo}\u0000x` });
		assert.equal(body.errors[0].type, 'NOT_FOUND');
		({ body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, e: ['production\u0000'] }));
		assert.equal(body.data.repository.deployments.totalCount, 0);
		({ body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, e: ['production', 'staging'] }));
		assert.equal(body.data.repository.deployments.totalCount, 2);
	});

	it('pages branch-deploy v12 newest first, one at a time, never repeating a cursor', async () => {
		const paged = createRepo(alice.login);
		const ids = [];
		for (let i = 0; i < 3; i++)
			ids.push((await rest.request('POST /repos/{owner}/{repo}/deployments', {
				...paged, ref: SHA, environment: 'production', auto_merge: false, required_contexts: [],
			})).data.id);
		const seen = [];
		let cursor = null, r;
		do {
			r = (await gql(BRANCH_DEPLOY_V12, { repo_owner: paged.owner, repo_name: paged.repo,
				environment: 'production', first: 1, cursor })).repository.deployments;
			assert.ok(!seen.includes(r.pageInfo.endCursor));
			seen.push(r.pageInfo.endCursor);
			cursor = r.pageInfo.endCursor;
		} while (r.pageInfo.hasNextPage);
		assert.equal(seen.length, 3);
		const last = `query($o: String!, $n: String!, $before: String) {
		  repository(owner: $o, name: $n) {
		    deployments(last: 2, before: $before) { nodes { databaseId } pageInfo { hasPreviousPage hasNextPage startCursor } }
		  }
		}`;
		const tail = (await gql(last, { o: paged.owner, n: paged.repo })).repository.deployments;
		assert.deepEqual(tail.nodes.map((n) => n.databaseId), ids.slice(1));
		assert.deepEqual([tail.pageInfo.hasPreviousPage, tail.pageInfo.hasNextPage], [true, false]);
		const head = (await gql(last, { o: paged.owner, n: paged.repo, before: tail.pageInfo.startCursor })).repository.deployments;
		assert.deepEqual(head.nodes.map((n) => n.databaseId), ids.slice(0, 1));
	});

	it('pages a deployment\'s statuses newest first, and finds a status by id', async () => {
		const d = (await rest.request('POST /repos/{owner}/{repo}/deployments', {
			...repo, ref: SHA, environment: 'qa', auto_merge: false, required_contexts: [],
		})).data;
		const made = [];
		for (const state of ['queued', 'in_progress', 'failure'])
			made.push((await rest.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
				...repo, deployment_id: d.id, state, environment_url: state === 'failure' ? 'https://qa.example' : '',
			})).data);
		const q = `query($id: ID!, $after: String) {
		  node(id: $id) {
		    ... on Deployment {
		      state
		      statuses(first: 2, after: $after) {
		        totalCount
		        nodes { state environmentUrl logUrl creator { login } }
		        pageInfo { endCursor hasNextPage }
		      }
		    }
		  }
		}`;
		const p1 = (await gql(q, { id: d.node_id })).node;
		assert.equal(p1.state, 'FAILURE');
		assert.equal(p1.statuses.totalCount, 3);
		assert.deepEqual(p1.statuses.nodes.map((n) => n.state), ['FAILURE', 'IN_PROGRESS']);
		assert.deepEqual(p1.statuses.nodes[0], { state: 'FAILURE', environmentUrl: 'https://qa.example', logUrl: null,
			creator: { login: alice.login } });
		assert.equal(p1.statuses.pageInfo.hasNextPage, true);
		const p2 = (await gql(q, { id: d.node_id, after: p1.statuses.pageInfo.endCursor })).node;
		assert.deepEqual(p2.statuses.nodes.map((n) => n.state), ['QUEUED']);
		assert.equal(p2.statuses.pageInfo.hasNextPage, false);
		// Without totalCount and pageInfo the page is read alone: the same
		// windows, from either end and between cursors, give the same nodes.
		const cursor = p1.statuses.pageInfo.endCursor;
		const bare = `query($id: ID!, $c: String) { node(id: $id) { ... on Deployment {
		  f: statuses(first: 2) { nodes { state } }
		  l: statuses(last: 2) { nodes { state } }
		  a: statuses(first: 5, after: $c) { edges { cursor node { state } } }
		  b: statuses(last: 5, before: $c) { nodes { state } }
		  z: statuses(first: 0) { nodes { state } }
		  latestStatus { state } } } }`;
		const w = (await gql(bare, { id: d.node_id, c: cursor })).node;
		assert.deepEqual([w.f, w.l, w.b, w.z].map((c) => c.nodes.map((n) => n.state)),
		    [['FAILURE', 'IN_PROGRESS'], ['IN_PROGRESS', 'QUEUED'], ['FAILURE'], []]);
		assert.deepEqual(w.a.edges.map((e) => e.node.state), ['QUEUED']);
		assert.deepEqual(w.latestStatus, { state: 'FAILURE' });
		const one = (await gql('query($id: ID!) { node(id: $id) { ... on DeploymentStatus { state deployment { databaseId } } } }',
			{ id: made[0].node_id })).node;
		assert.deepEqual(one, { state: 'QUEUED', deployment: { databaseId: d.id } });
	});

	it('serves the Ref a deployment of a branch names', async () => {
		const { repo: withGit, sha, dir } = createGitRepo(alice.login);
		await rest.request('POST /repos/{owner}/{repo}/deployments', { ...withGit, ref: 'main', auto_merge: false, required_contexts: [] });
		const q = `query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
		  defaultBranchRef { name }
		  full: ref(qualifiedName: "refs/heads/main") { prefix }
		  none: ref(qualifiedName: "nope") { name }
		  deployments(first: 1) { nodes { ref { name prefix target { oid ... on Commit { abbreviatedOid } } } } } } }`;
		const data = await gql(q, { o: withGit.owner, n: withGit.repo });
		assert.deepEqual(data.repository.deployments.nodes[0].ref,
		    { name: 'main', prefix: 'refs/heads/', target: { oid: sha, abbreviatedOid: sha.slice(0, 7) } });
		assert.deepEqual([data.repository.defaultBranchRef, data.repository.full, data.repository.none],
		    [{ name: 'main' }, { prefix: 'refs/heads/' }, null]);
		// createDeployment from the Ref's id, as graphql.md 7.1 describes it.
		const create = `mutation($repo: ID!, $ref: ID!, $contexts: [String!], $payload: String) {
		  createDeployment(input: {repositoryId: $repo, refId: $ref, requiredContexts: $contexts,
		      environment: "staging", payload: $payload, clientMutationId: "d1"}) {
		    autoMerged clientMutationId deployment { databaseId environment ref { name } commitOid payload state }
		  }
		}`;
		const ids = (await gql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
		  id ref(qualifiedName: "main") { id } } }`, { o: withGit.owner, n: withGit.repo })).repository;
		const made = (await gql(create, { repo: ids.id, ref: ids.ref.id, contexts: [], payload: '{"a":1}' })).createDeployment;
		assert.equal(made.autoMerged, false);
		assert.equal(made.clientMutationId, 'd1');
		assert.deepEqual({ ...made.deployment, databaseId: 0 }, { databaseId: 0, environment: 'staging',
			ref: { name: 'main' }, commitOid: sha, payload: JSON.stringify('{"a":1}'), state: 'PENDING' });
		const restView = (await rest.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}',
		    { ...withGit, deployment_id: made.deployment.databaseId })).data;
		assert.deepEqual([restView.ref, restView.payload, restView.sha], ['main', { a: 1 }, sha]);
		const { body } = await postValid(alice.token, create, { repo: ids.id, ref: ids.ref.id, contexts: ['ci'] });
		assert.deepEqual(body.data, { createDeployment: { autoMerged: false, clientMutationId: 'd1', deployment: null } });
		assert.deepEqual(body.errors.map((e) => [e.type, e.path, e.message]),
		    [['UNPROCESSABLE', ['createDeployment'], 'Commit status checks failed for main.']]);
		const wrong = await postValid(alice.token, create, { repo: ids.id, ref: ids.id });
		assert.deepEqual(wrong.body.errors.map((e) => e.type), ['NOT_FOUND']);
		rmSync(dir, { recursive: true, force: true });
	});

	it('deletes a deployment with deleteDeployment, as REST does', async () => {
		const other = createRepo(alice.login);
		const make = async () => (await rest.request('POST /repos/{owner}/{repo}/deployments', {
			...other, ref: SHA, environment: 'production', auto_merge: false, required_contexts: [],
		})).data;
		const old = await make();
		const live = await make();
		await rest.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
			...other, deployment_id: live.id, state: 'success',
		});
		const q = 'mutation($id: ID!) {\n  deleteDeployment(input: {id: $id, clientMutationId: "c1"}) { clientMutationId }\n}';
		assert.deepEqual(await gql(q, { id: old.node_id }), { deleteDeployment: { clientMutationId: 'c1' } });
		await assert.rejects(rest.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}', { ...other, deployment_id: old.id }),
		    (e) => e.status === 404);
		// The active one is the only one left in its environment: allowed too.
		const bob = createUserWithToken({ prefix: 'gqlc' });
		let { body } = await postValid(bob.token, q, { id: live.node_id });
		assert.deepEqual(body, { data: { deleteDeployment: null }, errors: [{ type: 'FORBIDDEN', path: ['deleteDeployment'],
			locations: [{ line: 2, column: 3 }],
			message: `${bob.login} does not have the correct permissions to execute \`DeleteDeployment\`` }] });
		({ body } = await postValid(alice.token, q, { id: 'nope' }));
		assert.deepEqual(body.errors.map((e) => [e.type, e.message]),
		    [['NOT_FOUND', 'Could not resolve to a node with the global id of \'nope\'']]);
		const third = await make();
		await rest.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
			...other, deployment_id: third.id, state: 'success', auto_inactive: false,
		});
		({ body } = await postValid(alice.token, q, { id: third.node_id }));
		assert.deepEqual(body, { data: { deleteDeployment: null }, errors: [{ type: 'UNPROCESSABLE', path: ['deleteDeployment'],
			locations: [{ line: 2, column: 3 }],
			message: 'We cannot delete an active deployment unless it is the only deployment in a given environment.' }] });
	});

	it('creates a status with createDeploymentStatus, cascade included', async () => {
		const other = createRepo(alice.login);
		const make = async () => (await rest.request('POST /repos/{owner}/{repo}/deployments', {
			...other, ref: SHA, environment: 'production', auto_merge: false, required_contexts: [],
		})).data;
		const older = await make();
		const newer = await make();
		const q = `mutation($id: ID!, $state: DeploymentStatusState!, $description: String) {
		  createDeploymentStatus(input: {deploymentId: $id, state: $state, description: $description,
		      logUrl: "https://ci.example/9", environment: "production", clientMutationId: "m1"}) {
		    clientMutationId
		    deploymentStatus { state description logUrl environmentUrl deployment { databaseId state } }
		  }
		}`;
		await gql(q, { id: older.node_id, state: 'SUCCESS' });
		const made = await gql(q, { id: newer.node_id, state: 'SUCCESS', description: 'live' });
		assert.deepEqual(made, { createDeploymentStatus: { clientMutationId: 'm1', deploymentStatus: {
			state: 'SUCCESS', description: 'live', logUrl: 'https://ci.example/9', environmentUrl: null,
			deployment: { databaseId: newer.id, state: 'ACTIVE' } } } });
		// The older one was made inactive, as REST's cascade does.
		const statuses = (await rest.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
		    { ...other, deployment_id: older.id })).data;
		assert.deepEqual(statuses.map((s) => s.state), ['inactive', 'success']);
		assert.equal(statuses[1].target_url, 'https://ci.example/9');
		let { body } = await postValid(alice.token, q, { id: newer.node_id, state: 'FAILURE', description: 'x'.repeat(141) });
		assert.deepEqual(body.data, { createDeploymentStatus: { clientMutationId: 'm1', deploymentStatus: null } });
		assert.deepEqual(body.errors.map((e) => [e.type, e.message]),
		    [['UNPROCESSABLE', 'Description is too long (maximum is 140 characters)']]);
		({ body } = await postValid(alice.token, q, { id: newer.node_id, state: 'FAILURE', description: 'a\u0000b' }));
		assert.deepEqual(body.errors.map((e) => e.message), ['Description is invalid']);
		const bob = createUserWithToken({ prefix: 'gqld' });
		({ body } = await postValid(bob.token, q, { id: newer.node_id, state: 'FAILURE' }));
		assert.deepEqual(body.data, { createDeploymentStatus: null });
		assert.equal(body.errors[0].message, `${bob.login} does not have the correct permissions to execute \`CreateDeploymentStatus\``);
	});

	it('introspects the served subset, which graphql-js builds and the fixtures fit', async () => {
		const served = buildClientSchema(await gql(getIntrospectionQuery()));
		for (const q of [BRANCH_DEPLOY_V12, BRANCH_DEPLOY_V11, BACKSTAGE, SHIELDS])
			assert.deepEqual(validate(served, parse(q)).map((e) => e.message), []);
		const deployment = served.getType('Deployment').getFields();
		assert.equal(String(deployment.statuses.type), 'DeploymentStatusConnection');
		assert.equal(String(served.getType('Repository').getFields().deployments.args
		    .find((a) => a.name === 'orderBy').type), 'DeploymentOrder');
		const one = await gql('{ __type(name: "DeploymentState") { kind enumValues { name } } }');
		assert.equal(one.__type.kind, 'ENUM');
		assert.ok(one.__type.enumValues.some((v) => v.name === 'ABANDONED'));
	});

	describe('environments (environments.md, GraphQL)', () => {
		const ENV = '/repos/{owner}/{repo}/environments/{environment_name}';
		const FIELDS = 'id databaseId name isPinned pinnedPosition';
		const put = async (r, name, body = {}) =>
			(await rest.request(`PUT ${ENV}`, { ...r, environment_name: name, ...body })).data;

		it('finds an environment by its folded name, and null for a missing one', async () => {
			const qa = await put(repo, 'QA-East');
			const q = `query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
			  folded: environment(name: "qa-EAST") { ${FIELDS} __typename }
			  missing: environment(name: "qa-west") { id } } }`;
			const data = await gql(q, { o: repo.owner, n: repo.repo });
			assert.deepEqual(data.repository, {
				folded: { id: qa.node_id, databaseId: qa.id, name: 'QA-East', isPinned: false,
					pinnedPosition: null, __typename: 'Environment' },
				missing: null,
			});
		});

		it('pages environments by folded name either way, with names and the pinned filter', async () => {
			const r = createRepo(alice.login);
			for (const name of ['b', 'A', 'D', 'c'])
				await put(r, name);
			const q = `query($o: String!, $n: String!, $first: Int, $last: Int, $after: String, $before: String,
			    $names: [String!], $order: Environments, $pinned: EnvironmentPinnedFilterField) {
			  repository(owner: $o, name: $n) {
			    environments(first: $first, last: $last, after: $after, before: $before, names: $names,
			        orderBy: $order, pinnedEnvironmentFilter: $pinned) {
			      totalCount edges { cursor node { name } }
			      pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } } }`;
			const page = async (vars) => (await gql(q, { o: r.owner, n: r.repo, ...vars })).repository.environments;
			const names = (c) => c.edges.map((e) => e.node.name);
			const one = await page({ first: 2 });
			assert.deepEqual([names(one), one.totalCount, one.pageInfo.hasNextPage, one.pageInfo.hasPreviousPage],
			    [['A', 'b'], 4, true, false]);
			assert.equal(one.pageInfo.startCursor, one.edges[0].cursor);
			const two = await page({ first: 2, after: one.pageInfo.endCursor });
			assert.deepEqual([names(two), two.pageInfo.hasNextPage, two.pageInfo.hasPreviousPage], [['c', 'D'], false, true]);
			const back = await page({ last: 1, before: two.edges[0].cursor });
			assert.deepEqual([names(back), back.pageInfo.hasPreviousPage], [['b'], true]);
			const desc = await page({ first: 3, order: { field: 'NAME', direction: 'DESC' } });
			assert.deepEqual(names(desc), ['D', 'c', 'b']);
			const some = await page({ first: 10, names: ['a', 'd', 'e'] });
			assert.deepEqual([names(some), some.totalCount], [['A', 'D'], 2]);
			const pinned = await page({ first: 10, pinned: 'ONLY' });
			assert.deepEqual([names(pinned), pinned.totalCount, pinned.pageInfo.endCursor], [[], 0, null]);
			assert.equal((await page({ first: 10, pinned: 'NONE' })).totalCount, 4);
		});

		it('resolves an environment\'s node id, a private repository\'s as NOT_FOUND', async () => {
			const mine = await put(repo, 'node-env');
			const bob = createUserWithToken({ prefix: 'gqlv' });
			const hidden = createRepo(bob.login, undefined, { private: true });
			const theirs = (await octokit(bob.token).request(`PUT ${ENV}`, { ...hidden, environment_name: 'secret' })).data;
			const q = `query($ids: [ID!]!, $id: ID!) { node(id: $id) { id ... on Environment { name databaseId } }
			  nodes(ids: $ids) { __typename id } }`;
			const { body } = await postValid(alice.token, q, { id: mine.node_id, ids: [theirs.node_id, mine.node_id] });
			assert.deepEqual(body.data, { node: { id: mine.node_id, name: 'node-env', databaseId: mine.id },
				nodes: [null, { __typename: 'Environment', id: mine.node_id }] });
			assert.deepEqual(body.errors.map((e) => [e.type, e.path]), [['NOT_FOUND', ['nodes', 0]]]);
			const list = `query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
			  environments(first: 10) { nodes { name } } } }`;
			const seen = await postValid(alice.token, list, { o: hidden.owner, n: hidden.repo });
			assert.deepEqual([seen.body.data, seen.body.errors[0].type], [{ repository: null }, 'NOT_FOUND']);
			const own = await client(bob.token)(list, { o: hidden.owner, n: hidden.repo });
			assert.deepEqual(own.repository.environments.nodes, [{ name: 'secret' }]);
		});

		it('lists the branch policy gate as a protection rule, and refuses a createDeployment it refuses, in REST\'s words', async () => {
			const { repo: withGit, dir } = createGitRepo(alice.login);
			const prod = await put(withGit, 'Prod', { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } });
			await put(withGit, 'open');
			const rules = (await gql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
			  environments(first: 2) { nodes { name protectionRules(first: 5) { totalCount
			    nodes { databaseId type timeout } pageInfo { hasNextPage } } } } } }`,
			    { o: withGit.owner, n: withGit.repo })).repository.environments.nodes;
			assert.deepEqual(rules, [
				{ name: 'open', protectionRules: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } } },
				{ name: 'Prod', protectionRules: { totalCount: 1, pageInfo: { hasNextPage: false },
					nodes: [{ databaseId: prod.protection_rules[0].id, type: 'BRANCH_POLICY', timeout: 0 }] } },
			]);
			await rest.request(`POST ${ENV}/deployment-branch-policies`, { ...withGit, environment_name: 'Prod', name: 'release/*', type: 'branch' });
			const restErr = await rest.request('POST /repos/{owner}/{repo}/deployments', {
				...withGit, ref: 'main', environment: 'prod', auto_merge: false, required_contexts: [],
			}).catch((e) => e);
			const message = 'Branch "main" is not allowed to deploy to Prod due to environment protection rules.';
			assert.deepEqual([restErr.status, restErr.response.data.message], [422, message]);
			const ids = (await gql(`query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
			  id ref(qualifiedName: "refs/heads/main") { id } } }`, { o: withGit.owner, n: withGit.repo })).repository;
			const create = `mutation($repo: ID!, $ref: ID!) {
			  createDeployment(input: {repositoryId: $repo, refId: $ref, environment: "prod", requiredContexts: []}) {
			    deployment { id } } }`;
			const { body } = await postValid(alice.token, create, { repo: ids.id, ref: ids.ref.id });
			assert.deepEqual(body.data, { createDeployment: { deployment: null } });
			assert.deepEqual(body.errors.map((e) => [e.type, e.path, e.message]),
			    [['UNPROCESSABLE', ['createDeployment'], message]]);
			const listed = (await rest.request('GET /repos/{owner}/{repo}/deployments', withGit)).data;
			assert.equal(listed.length, 0);
			// A status that moves a deployment into the gated environment: the same refusal.
			const open = (await rest.request('POST /repos/{owner}/{repo}/deployments', {
				...withGit, ref: 'main', environment: 'open', auto_merge: false, required_contexts: [],
			})).data;
			const move = `mutation($id: ID!) { createDeploymentStatus(input: {deploymentId: $id,
			  state: SUCCESS, environment: "PROD"}) { deploymentStatus { id } } }`;
			const moved = await postValid(alice.token, move, { id: open.node_id });
			assert.deepEqual(moved.body.data, { createDeploymentStatus: { deploymentStatus: null } });
			assert.deepEqual(moved.body.errors.map((e) => [e.type, e.path, e.message]),
			    [['UNPROCESSABLE', ['createDeploymentStatus'], message]]);
			const statuses = (await rest.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
			    { ...withGit, deployment_id: open.id })).data;
			assert.equal(statuses.length, 0);
			rmSync(dir, { recursive: true, force: true });
		});

		it('introspects Environment as a Node', async () => {
			const served = buildClientSchema(await gql(getIntrospectionQuery()));
			const env = served.getType('Environment');
			assert.deepEqual(env.getInterfaces().map(String), ['Node']);
			assert.equal(String(env.getFields().name.type), 'String!');
			const repoFields = served.getType('Repository').getFields();
			assert.equal(String(repoFields.environments.type), 'EnvironmentConnection!');
			assert.equal(String(repoFields.environment.type), 'Environment');
		});
	});

	describe('errors (graphql.md section 2)', () => {
		it('is NOT_FOUND per unresolvable node, keeping the list\'s order', async () => {
			const q = 'query($ids: [ID!]!) {\n  nodes(ids: $ids) { id }\n}';
			const { body } = await postValid(alice.token, q, { ids: [first.node_id, 'nope'] });
			assert.deepEqual(body, { data: { nodes: [{ id: first.node_id }, null] }, errors: [{ type: 'NOT_FOUND',
				path: ['nodes', 1], locations: [{ line: 2, column: 3 }],
				message: 'Could not resolve to a node with the global id of \'nope\'' }] });
		});

		it('reads nodes of every type at once, a private repository\'s as NOT_FOUND', async () => {
			const bob = createUserWithToken({ prefix: 'gqle' });
			const hidden = createRepo(bob.login, undefined, { private: true });
			const secret = (await octokit(bob.token).request('POST /repos/{owner}/{repo}/deployments', {
				...hidden, ref: SHA, auto_merge: false, required_contexts: [],
			})).data;
			const status = (await rest.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
			    { ...repo, deployment_id: first.id })).data[0];
			const repoId = (await rest.request('GET /repos/{owner}/{repo}', repo)).data.node_id;
			const q = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
			  ... on Deployment { latestStatus { state } repository { name } }
			  ... on DeploymentStatus { deployment { databaseId } } } }`;
			const { body } = await postValid(alice.token, q, { ids: [second.node_id, repoId, status.node_id, secret.node_id, first.node_id] });
			assert.deepEqual(body.data.nodes, [
				{ __typename: 'Deployment', id: second.node_id, latestStatus: null, repository: { name: repo.repo } },
				{ __typename: 'Repository', id: repoId },
				{ __typename: 'DeploymentStatus', id: status.node_id, deployment: { databaseId: first.id } },
				null,
				{ __typename: 'Deployment', id: first.node_id, latestStatus: { state: 'SUCCESS' }, repository: { name: repo.repo } },
			]);
			assert.deepEqual(body.errors.map((e) => [e.type, e.path]), [['NOT_FOUND', ['nodes', 3]]]);
		});

		it('refuses first and last together', async () => {
			const q = 'query($o: String!, $n: String!) {\n  repository(owner: $o, name: $n) {\n    deployments(first: 1, last: 1) { totalCount }\n  }\n}';
			const { body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo });
			assert.deepEqual(body, { data: { repository: null }, errors: [{ path: ['repository', 'deployments'],
				locations: [{ line: 3, column: 5 }],
				message: 'Passing both `first` and `last` to paginate the `deployments` connection is not supported.' }] });
		});

		it('runs queries by GET, never mutations', async () => {
			const get = async (params) => {
				const res = await fetch(`${DEPLOY_URL}/api/graphql?${new URLSearchParams(params)}`,
				    { headers: { authorization: `token ${alice.token}` } });
				return { status: res.status, body: await res.json() };
			};
			const q = 'query($yes: Boolean!) { viewer { login @include(if: $yes) } }';
			assertValidOnGitHub(q);
			assert.deepEqual(await get({ query: q, variables: '{"yes":true}' }), { status: 200, body: { data: { viewer: { login: alice.login } } } });
			assert.deepEqual((await get({ query: 'mutation { deleteDeployment(input: {id: "x"}) { clientMutationId } }' })).body,
			    { errors: [{ message: 'Mutations can only be sent over POST.' }] });
			assert.equal((await get({ query: q, variables: '{' })).status, 400);
			const del = await fetch(`${DEPLOY_URL}/graphql`, { method: 'DELETE', headers: { authorization: `token ${alice.token}` } });
			assert.equal(del.status, 404);
		});

		it('is NOT_FOUND for a private repository the caller cannot see', async () => {
			const bob = createUserWithToken({ prefix: 'gqlb' });
			const hidden = createRepo(bob.login, undefined, { private: true });
			const q = 'query($o: String!, $n: String!) {\n  repository(owner: $o, name: $n) { id }\n}';
			const { status, body } = await postValid(alice.token, q, { o: hidden.owner, n: hidden.repo });
			assert.equal(status, 200);
			assert.deepEqual(body, {
				data: { repository: null },
				errors: [{ type: 'NOT_FOUND', path: ['repository'], locations: [{ line: 2, column: 3 }],
					message: `Could not resolve to a Repository with the name '${hidden.fullName}'.` }],
			});
			await assert.rejects(client(alice.token)(q, { o: hidden.owner, n: hidden.repo }), GraphqlResponseError);
		});

		it('needs first or last for nodes', async () => {
			const q = 'query($o: String!, $n: String!) {\n  repository(owner: $o, name: $n) {\n    deployments { nodes { id } }\n  }\n}';
			const { body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo });
			assert.deepEqual(body, { errors: [{ type: 'MISSING_PAGINATION_BOUNDARIES', path: ['repository', 'deployments'],
				locations: [{ line: 3, column: 5 }],
				message: 'You must provide a `first` or `last` value to properly paginate the `deployments` connection.' }] });
		});

		it('refuses more than 100 and a bad cursor, nulling the repository', async () => {
			const q = 'query($o: String!, $n: String!, $f: Int, $a: String) {\n  repository(owner: $o, name: $n) {\n    id\n    deployments(first: $f, after: $a) { nodes { id } }\n  }\n}';
			let { body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, f: 101 });
			assert.deepEqual(body, { data: { repository: null }, errors: [{ type: 'EXCESSIVE_PAGINATION',
				path: ['repository', 'deployments'], locations: [{ line: 4, column: 5 }],
				message: 'Requesting 101 records on the `deployments` connection exceeds the `first` limit of 100 records.' }] });
			({ body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, f: 1, a: 'abc' }));
			assert.deepEqual(body, { data: { repository: null }, errors: [{ type: 'INVALID_CURSOR_ARGUMENTS',
				path: ['repository', 'deployments'], locations: [{ line: 4, column: 5 }],
				message: '`abc` does not appear to be a valid cursor.' }] });
		});

		it('gives first: 0 an empty page that still counts, and refuses a negative last', async () => {
			const q = 'query($o: String!, $n: String!, $f: Int, $l: Int) {\n  repository(owner: $o, name: $n) {\n    deployments(first: $f, last: $l) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }\n  }\n}';
			let { body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, f: 0 });
			assert.deepEqual(body.data.repository.deployments.nodes, []);
			assert.ok(body.data.repository.deployments.totalCount >= 2);
			assert.deepEqual(body.data.repository.deployments.pageInfo, { hasNextPage: true, endCursor: null });
			({ body } = await postValid(alice.token, q, { o: repo.owner, n: repo.repo, l: -1 }));
			assert.deepEqual(body, { data: { repository: null }, errors: [{ type: 'INVALID_PAGINATION',
				path: ['repository', 'deployments'], locations: [{ line: 3, column: 5 }],
				message: '`last` on the `deployments` connection cannot be less than zero.' }] });
		});

		it('answers an unknown field as GitHub does', async () => {
			const { body } = await post(alice.token, { query: '{ viewer { nope } }' });
			assert.deepEqual(body, { errors: [{ path: ['query', 'viewer', 'nope'],
				extensions: { code: 'undefinedField', typeName: 'User', fieldName: 'nope' },
				locations: [{ line: 1, column: 12 }], message: 'Field \'nope\' doesn\'t exist on type \'User\'' }] });
		});

		it('answers a missing query and bad JSON', async () => {
			assert.deepEqual((await post(alice.token, {})).body,
			    { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
			const bad = await post(alice.token, '{');
			assert.equal(bad.status, 400);
			assert.equal(bad.body.message, 'Problems parsing JSON');
		});
	});
});
