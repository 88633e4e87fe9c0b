// Shared helpers for the client-compatibility tests: provisioning through
// deployctl, an octokit factory pointed at the stack, and validation of
// response bodies against GitHub's official OpenAPI description.
//
// The stack comes from tests/integration/run-with-stack.sh, which exports
// DEPLOY_URL (http://127.0.0.1:PORT), DEPLOY_DB (libpq conninfo) and
// DEPLOY_BIN (the folder holding deployctl).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { Octokit } from '@octokit/rest';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { RequestError } from '@octokit/request-error';

export { Octokit, RequestError };

function env(name) {
	const value = process.env[name];
	if (!value)
		throw new Error(`${name} is not set: run the tests through tests/integration/run-with-stack.sh`);
	return value;
}

export const DEPLOY_URL = env('DEPLOY_URL').replace(/\/+$/, '');
export const DEPLOY_DB = env('DEPLOY_DB');
export const DEPLOY_BIN = env('DEPLOY_BIN');
export const API_URL = `${DEPLOY_URL}/api/v3`;

// ---------------------------------------------------------------------------
// Provisioning

// Runs deployctl with the stack's database and returns its standard output,
// trimmed. Arguments go to execFileSync as an array: no shell is involved.
export function deployctl(...args) {
	const bin = path.join(DEPLOY_BIN, 'deployctl');
	try {
		return execFileSync(bin, ['--db', DEPLOY_DB, ...args], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
			timeout: 30_000,
		}).trim();
	} catch (err) {
		const stderr = err.stderr ? String(err.stderr).trim() : '';
		throw new Error(`deployctl ${args.join(' ')} failed (${err.status ?? err.signal ?? err.code}): ${stderr}`);
	}
}

// A prefix shared by every name this process creates, so that reruns against
// one database (and test files running side by side) never collide.
const RUN_ID = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
let counter = 0;

// A fresh name that is also a valid GitHub login and repository name
// (letters, digits, hyphens; at most 39 characters).
export function uniqueName(prefix = 'n') {
	counter += 1;
	return `${prefix}-${RUN_ID}-${counter}`.slice(0, 39);
}

// deployctl user create LOGIN; returns the login.
export function createUser(login = uniqueName('user'), { siteAdmin = false } = {}) {
	deployctl('user', 'create', login, ...(siteAdmin ? ['--site-admin'] : []));
	return login;
}

// deployctl token create LOGIN; returns the token (deployctl prints it alone).
// rateLimit 0 means unlimited.
export function createToken(login, { scopes = 'repo', rateLimit = 0, expiresDays } = {}) {
	const args = ['token', 'create', login, '--scopes', scopes, '--rate-limit', String(rateLimit)];
	if (expiresDays !== undefined)
		args.push('--expires-days', String(expiresDays));
	const token = deployctl(...args);
	assert.match(token, /^\S+$/, `deployctl token create printed ${JSON.stringify(token)}`);
	return token;
}

// A new user with one token: { login, token }.
export function createUserWithToken({ prefix = 'user', siteAdmin = false, ...tokenOptions } = {}) {
	const login = createUser(uniqueName(prefix), { siteAdmin });
	return { login, token: createToken(login, tokenOptions) };
}

// deployctl repo create OWNER/NAME; returns { owner, repo, fullName }, the
// first two ready to spread into octokit parameters.
export function createRepo(owner, name = uniqueName('repo'), { private: isPrivate = false, defaultBranch, gitDir, description } = {}) {
	const args = ['repo', 'create', `${owner}/${name}`];
	if (isPrivate)
		args.push('--private');
	if (defaultBranch !== undefined)
		args.push('--default-branch', defaultBranch);
	if (gitDir !== undefined)
		args.push('--git-dir', gitDir);
	if (description !== undefined)
		args.push('--description', description);
	deployctl(...args);
	return { owner, repo: name, fullName: `${owner}/${name}` };
}

// deployctl collaborator add OWNER/NAME LOGIN --permission pull|push|admin.
export function addCollaborator({ owner, repo }, login, permission) {
	deployctl('collaborator', 'add', `${owner}/${repo}`, login, '--permission', permission);
}

// ---------------------------------------------------------------------------
// The stack's database, and git

// Runs one statement through psql (a conninfo string is a valid dbname) and
// returns its unaligned output, trimmed: rows by line, columns by '|'.
export function psql(sql) {
	return execFileSync('psql', ['-X', '-Atc', sql, DEPLOY_DB], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 30_000,
	}).trim();
}

// The outbox rows matching where (SQL of the test's own making), oldest
// first: { event, action, deployment_id, payload }. The rows are lean
// (sql/0014): the payload is the body deploy-dispatch renders at fan-out,
// asked of it with --show-outbox, which leaves the rows where they are.
export function outboxEvents(where) {
	const out = psql('SELECT json_build_object(\'id\', id, \'event\', event, \'action\', action, ' +
	    `'deployment_id', deployment_id)::text FROM outbox WHERE ${where} ORDER BY id`);
	if (out === '')
		return [];
	const rows = out.split('\n').map((line) => JSON.parse(line));
	const shown = execFileSync(path.join(DEPLOY_BIN, 'deploy-dispatch'),
	    ['--db', DEPLOY_DB, '--show-outbox', rows.map((r) => r.id).join(',')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 30_000,
	});
	const bodies = new Map(shown.split('\n').filter((line) => line !== '').map((line) => {
		const tab = line.indexOf('\t');
		return [Number(line.slice(0, tab)), JSON.parse(line.slice(tab + 1))];
	}));
	return rows.map(({ id, ...row }) => ({ ...row, payload: bodies.get(id) }));
}

// Runs git in cwd as the tests' author and committer, with no system
// configuration, and returns its output, trimmed. Arguments go to
// execFileSync as an array: no shell.
export function runGit(cwd, ...args) {
	return execFileSync('git', args, {
		cwd,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {
			...process.env,
			GIT_AUTHOR_NAME: 'Deploy Tests',
			GIT_AUTHOR_EMAIL: 'tests@example.com',
			GIT_COMMITTER_NAME: 'Deploy Tests',
			GIT_COMMITTER_EMAIL: 'tests@example.com',
			GIT_CONFIG_NOSYSTEM: '1',
		},
	}).trim();
}

// ---------------------------------------------------------------------------
// Clients

// octokit logs every failed request through log.error; the tests provoke
// 401s and 404s on purpose, so only warnings (deprecations) are printed.
const quietLog = {
	debug() {},
	info() {},
	warn: console.warn.bind(console),
	error() {},
};

// An octokit client for the stack, as a GitHub Enterprise Server client is
// configured. Without a token the client is anonymous.
export function octokit(token, options = {}) {
	return new Octokit({
		...(token === undefined ? {} : { auth: token }),
		baseUrl: API_URL,
		userAgent: 'deploy-api-node-tests',
		log: quietLog,
		...options,
	});
}

// ---------------------------------------------------------------------------
// Schema validation against GitHub's OpenAPI description

const require = createRequire(import.meta.url);
// api.github.com.deref.json has no components section (only the inlined
// paths), so the schemas come from api.github.com.json, whose $refs ajv
// resolves against the document registered below.
const OPENAPI_FILE = require.resolve('@octokit/openapi/generated/api.github.com.json');
const DOC_ID = 'https://api.github.com/openapi.json';

let state;

// An ajv for GitHub's descriptions: lenient about their extensions, every
// error reported, ajv-formats' formats and OpenAPI's integer ones.
function newAjv() {
	const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
	addFormats(ajv);
	for (const name of ['int32', 'int64'])
		ajv.addFormat(name, { type: 'number', validate: Number.isInteger });
	return ajv;
}

// OpenAPI 3.0 writes "may be null" as nullable: true, which is not JSON
// Schema; ajv understands it only next to a type (and throws otherwise), and
// an enum must then list null itself. Rewrites a copy into plain JSON Schema
// and points local $refs at the registered document.
function toJsonSchema(node) {
	if (Array.isArray(node))
		return node.map(toJsonSchema);
	if (node === null || typeof node !== 'object')
		return node;
	const out = {};
	for (const [key, value] of Object.entries(node)) {
		if (key === '$ref' && typeof value === 'string' && value.startsWith('#'))
			out[key] = DOC_ID + value;
		else if (key !== 'nullable' || typeof value !== 'boolean')
			out[key] = toJsonSchema(value);
	}
	if (node.nullable !== true)
		return out;
	if (typeof out.type === 'string' || Array.isArray(out.type)) {
		const types = [].concat(out.type);
		out.type = types.includes('null') ? types : [...types, 'null'];
		if (Array.isArray(out.enum) && !out.enum.includes(null))
			out.enum = [...out.enum, null];
		return out;
	}
	return { anyOf: [out, { type: 'null' }] };
}

function load() {
	if (state)
		return state;
	const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
	const ajv = newAjv();
	// OpenAPI's other numeric formats, and one string format ajv-formats lacks.
	for (const name of ['float', 'double'])
		ajv.addFormat(name, { type: 'number', validate: () => true });
	ajv.addFormat('timestamp', { type: 'string', validate: (s) => !Number.isNaN(Date.parse(s)) });
	ajv.addSchema({ $id: DOC_ID, components: toJsonSchema(doc.components) });
	state = { doc, ajv, compiled: new Map() };
	return state;
}

function compiled(key, makeSchema) {
	const { ajv, compiled: cache } = load();
	let validate = cache.get(key);
	if (!validate) {
		validate = ajv.compile(makeSchema());
		cache.set(key, validate);
	}
	return validate;
}

function failWith(validate, what, body) {
	const { ajv } = load();
	const text = ajv.errorsText(validate.errors, { separator: '\n  ', dataVar: 'body' });
	assert.fail(`response body does not match ${what}:\n  ${text}\nbody: ${JSON.stringify(body, null, 1).slice(0, 4000)}`);
}

// Fails unless body matches components.schemas[schemaName] (for example
// 'private-user', 'full-repository', 'deployment', 'basic-error').
export function assertValid(schemaName, body) {
	const { doc } = load();
	assert.ok(doc.components.schemas[schemaName], `no schema '${schemaName}' in GitHub's OpenAPI description`);
	const validate = compiled(`schema:${schemaName}`,
	    () => ({ $ref: `${DOC_ID}#/components/schemas/${schemaName}` }));
	if (!validate(body))
		failWith(validate, `schema '${schemaName}'`, body);
}

// The response object of an operation, following a $ref into
// components.responses.
function responseObject(pathTemplate, method, status) {
	const { doc } = load();
	const item = doc.paths[pathTemplate];
	assert.ok(item, `no path '${pathTemplate}' in GitHub's OpenAPI description`);
	const op = item[method.toLowerCase()];
	assert.ok(op, `no operation ${method.toUpperCase()} ${pathTemplate} in GitHub's OpenAPI description`);
	let res = op.responses[String(status)];
	assert.ok(res, `${method.toUpperCase()} ${pathTemplate} documents no ${status} response ` +
	    `(documented: ${Object.keys(op.responses).join(', ')})`);
	while (res.$ref) {
		const name = res.$ref.replace(/^#\/components\/responses\//, '');
		res = doc.components.responses[name];
		assert.ok(res, `unresolvable response reference ${name}`);
	}
	return res;
}

// Fails unless body matches what GitHub documents for that operation and
// status: paths[pathTemplate][method].responses[status], its
// application/json schema. pathTemplate is written as in the description,
// e.g. '/repos/{owner}/{repo}/deployments'. A documented response without
// content (204) expects no body. Some error statuses are documented without
// content although GitHub answers them with an error body (createDeployment's
// 409, the merges API's 404 and 409): options.errorSchema names the schema
// that body must match then ('basic-error', 'validation-error').
export function assertValidResponse(pathTemplate, method, status, body, { errorSchema } = {}) {
	const res = responseObject(pathTemplate, method, status);
	const content = res.content?.['application/json'];
	if (!content && errorSchema !== undefined && status >= 400) {
		assertValid(errorSchema, body);
		return;
	}
	if (!content) {
		assert.ok(body === undefined || body === null || body === '',
		    `${method.toUpperCase()} ${pathTemplate} ${status} documents no body, got ${JSON.stringify(body)}`);
		return;
	}
	const schema = content.schema;
	assert.ok(schema, `${method.toUpperCase()} ${pathTemplate} ${status} has no schema`);
	const key = `op:${method.toLowerCase()} ${pathTemplate} ${status}`;
	const validate = compiled(key, () => toJsonSchema(schema));
	if (!validate(body))
		failWith(validate, `the ${status} response of ${method.toUpperCase()} ${pathTemplate}`, body);
}

// Asserts that promise rejects with octokit's RequestError carrying status
// (and, when given, that message); returns the error for further checks.
export async function assertRequestError(promise, status, message) {
	let caught;
	await assert.rejects(promise, (err) => {
		caught = err;
		return true;
	});
	assert.ok(caught instanceof RequestError, `expected a RequestError, got ${caught?.name}: ${caught?.message}`);
	assert.equal(caught.status, status, `expected status ${status}, got ${caught.status}: ${caught.message}`);
	if (message !== undefined)
		assert.equal(caught.response?.data?.message, message);
	return caught;
}

// ---------------------------------------------------------------------------
// Webhook payloads against GitHub's webhook description

// @octokit/openapi-webhooks is OpenAPI 3.1: its schemas are already JSON
// Schema (type arrays instead of nullable); only the local $refs need to
// point at the registered document.
const WEBHOOKS_FILE = require.resolve('@octokit/openapi-webhooks/generated/api.github.com.json');
const WEBHOOKS_ID = 'https://api.github.com/webhooks.json';

let webhookState;

function refsTo(node, id) {
	if (Array.isArray(node))
		return node.map((n) => refsTo(n, id));
	if (node === null || typeof node !== 'object')
		return node;
	const out = {};
	for (const [key, value] of Object.entries(node))
		out[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#') ? id + value : refsTo(value, id);
	return out;
}

function loadWebhooks() {
	if (webhookState)
		return webhookState;
	const doc = JSON.parse(readFileSync(WEBHOOKS_FILE, 'utf8'));
	const ajv = newAjv();
	ajv.addSchema({ $id: WEBHOOKS_ID, components: refsTo(doc.components, WEBHOOKS_ID) });
	webhookState = { doc, ajv, compiled: new Map() };
	return webhookState;
}

// The payload schema GitHub documents for the webhook name, as the
// description spells it ('deployment-created', 'deployment-status-created',
// ...: webhooks[name].post.requestBody), with a reference at its top
// followed into components.schemas: a copy, for a test to adjust.
export function webhookSchema(name) {
	const { doc } = loadWebhooks();
	const hook = doc.webhooks[name];
	assert.ok(hook, `no webhook '${name}' in GitHub's webhook description`);
	let schema = hook.post?.requestBody?.content?.['application/json']?.schema;
	assert.ok(schema, `webhook '${name}' has no application/json schema`);
	while (schema.$ref)
		schema = doc.components.schemas[schema.$ref.replace(/^#\/components\/schemas\//, '')];
	return structuredClone(schema);
}

// Fails unless payload matches the schema makeSchema() gives, written
// against the webhook description's components (as webhookSchema() gives
// one); what names the schema in the failure, and key caches its compiled
// form, so that makeSchema runs once.
export function assertValidAgainst(key, makeSchema, payload, what) {
	const { ajv, compiled: cache } = loadWebhooks();
	let validate = cache.get(key);
	if (!validate) {
		validate = ajv.compile(refsTo(makeSchema(), WEBHOOKS_ID));
		cache.set(key, validate);
	}
	if (!validate(payload)) {
		const text = ajv.errorsText(validate.errors, { separator: '\n  ', dataVar: 'payload' });
		assert.fail(`payload does not match ${what}:\n  ${text}\n` +
		    `payload: ${JSON.stringify(payload, null, 1).slice(0, 4000)}`);
	}
}

// Fails unless body matches the payload GitHub documents for the webhook
// name (see webhookSchema()).
export function assertValidWebhook(name, body) {
	assertValidAgainst(name, () => webhookSchema(name), body, `the '${name}' webhook`);
}
