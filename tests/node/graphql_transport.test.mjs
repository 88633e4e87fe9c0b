// What GraphQL answers before any query runs, where its words are not
// REST's (shared/spec/graphql.md sections 1 and 2): the two 401s, and a
// spent budget as HTTP 200 with a RATE_LIMITED error, counted apart from
// the token's REST budget.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEPLOY_URL, createUserWithToken } from './helpers.mjs';

const QUERY = '{ viewer { login } }';

async function post(authorization) {
	const headers = { 'content-type': 'application/json' };
	if (authorization)
		headers.authorization = authorization;
	const res = await fetch(`${DEPLOY_URL}/api/graphql`, {
		method: 'POST', headers, body: JSON.stringify({ query: QUERY }),
	});
	return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('GraphQL before the query', () => {
	it('asks for credentials in its own words', async () => {
		const res = await post(null);
		assert.equal(res.status, 401);
		assert.deepEqual(res.body, {
			message: 'This endpoint requires you to be authenticated.',
			documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
		});
	});

	it('refuses a bad token with GraphQL\'s documentation URL', async () => {
		const res = await post('bearer dpa_not_a_token_of_ours');
		assert.equal(res.status, 401);
		assert.deepEqual(res.body, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
	});

	it('answers a spent budget with 200 and RATE_LIMITED, REST\'s budget untouched', async () => {
		const { login, token } = createUserWithToken({ prefix: 'gqlrate', rateLimit: 2 });
		for (let i = 0; i < 2; i++) {
			const ok = await post(`bearer ${token}`);
			assert.equal(ok.status, 200);
			assert.equal(ok.body.data.viewer.login, login);
			assert.equal(ok.headers.get('x-ratelimit-resource'), 'graphql');
		}
		const spent = await post(`bearer ${token}`);
		assert.equal(spent.status, 200);
		assert.equal(spent.headers.get('x-ratelimit-remaining'), '0');
		assert.equal(spent.body.data, null);
		assert.equal(spent.body.errors.length, 1);
		assert.equal(spent.body.errors[0].type, 'RATE_LIMITED');
		assert.match(spent.body.errors[0].message, /^API rate limit exceeded for user ID \d+\.$/);
		const rest = await fetch(`${DEPLOY_URL}/api/v3/user`, { headers: { authorization: `token ${token}` } });
		assert.equal(rest.status, 200);
		assert.equal(rest.headers.get('x-ratelimit-resource'), 'core');
		assert.equal(rest.headers.get('x-ratelimit-remaining'), '1');
	});
});
