#!/usr/bin/python3
"""PyGithub (Debian's python3-github, 1.55) against the stack that
run-with-stack.sh started (DEPLOY_URL, DEPLOY_DB, DEPLOY_BIN): a commit
through repo.get_commit(), its statuses set and read back (create_status,
the legacy get_statuses() list, get_combined_status()), and a hook's
test() and ping(). Every URL the server renders, in a body or a Link
header, must be the stack's own: tls.sh runs this file again over HTTPS
(DEPLOY_URL https://localhost:PORT). Runs with /usr/bin/python3: the
Debian package is not importable by another interpreter on PATH."""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

try:
    import github
    import github.Requester
except ImportError:
    print("python3-github missing: scripts/test installs it", file=sys.stderr)
    sys.exit(77)

URL = os.environ["DEPLOY_URL"].rstrip("/")
DB = os.environ["DEPLOY_DB"]
BIN = os.environ["DEPLOY_BIN"]
RUN = f"py{os.getpid()}"


def deployctl(*args):
    return subprocess.run([f"{BIN}/deployctl", "--db", DB, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def psql(sql):
    return subprocess.run(["psql", "-X", "-Atc", sql, DB], check=True, capture_output=True,
                          text=True).stdout.strip()


def git(cwd, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="Py Tests", GIT_AUTHOR_EMAIL="py@example.com",
               GIT_COMMITTER_NAME="Py Committer", GIT_COMMITTER_EMAIL="pyc@example.com",
               GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


# URLs a test sends (a status's target_url, a hook's config.url) come back
# as sent; every other URL in a response is rendered by the server.
FOREIGN = set()


def foreign(url):
    FOREIGN.add(url)
    return url


def rendered_urls(node, key=""):
    """The (key, URL) pairs of a JSON document: http(s) values of "url" and
    "*_url" keys but GitHub's documentation_url (git_url and ssh_url are
    git's, "" means none set)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from rendered_urls(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from rendered_urls(v, key)
    elif (isinstance(node, str) and node.startswith(("http://", "https://"))
          and (key == "url" or key.endswith("_url")) and key != "documentation_url"):
        yield key, node


class URLCheck:
    """Sees every response PyGithub reads, through the hook its Requester
    calls after each request (DEBUG_ON_RESPONSE), and keeps the URLs that
    are not under DEPLOY_URL."""

    def __init__(self):
        self.wrong = []
        self.original = github.Requester.Requester.DEBUG_ON_RESPONSE
        check = self

        def on_response(requester, status, headers, data):
            check.response(headers, data)
            return check.original(requester, status, headers, data)
        github.Requester.Requester.DEBUG_ON_RESPONSE = on_response

    def response(self, headers, data):
        found = [("Link", u) for u in re.findall(r"<([^>]*)>", headers.get("link", ""))]
        try:
            found += rendered_urls(json.loads(data))
        except ValueError:
            pass  # an empty body (204)
        self.wrong += [(k, u) for k, u in found if u not in FOREIGN and not u.startswith(URL + "/")]

    def release(self):
        github.Requester.Requester.DEBUG_ON_RESPONSE = self.original


def bare_repository(folder):
    """A bare repository with two commits on main; returns its path."""
    work = os.path.join(folder, "work")
    bare = os.path.join(folder, "repo.git")
    os.mkdir(work)
    git(work, "init", "-q", "-b", "main", ".")
    with open(os.path.join(work, "a.txt"), "w") as f:
        f.write("one\n")
    git(work, "add", "a.txt")
    git(work, "commit", "-qm", "First")
    with open(os.path.join(work, "a.txt"), "w") as f:
        f.write("two\n")
    git(work, "commit", "-qam", "Second\n\nwith a body")
    git(folder, "clone", "-q", "--bare", work, bare)
    return bare


class PyGithubTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.urls = URLCheck()
        cls.tmp = tempfile.TemporaryDirectory()
        os.chmod(cls.tmp.name, 0o755)
        cls.owner = f"{RUN}-owner"
        deployctl("user", "create", cls.owner)
        token = deployctl("token", "create", cls.owner, "--scopes", "repo", "--rate-limit", "0")
        bare = bare_repository(cls.tmp.name)
        cls.head = git(bare, "rev-parse", "main")
        cls.parent = git(bare, "rev-parse", "main~1")
        cls.tree = git(bare, "rev-parse", "main^{tree}")
        deployctl("repo", "create", f"{cls.owner}/code", "--git-dir", bare)
        cls.gh = github.Github(base_url=f"{URL}/api/v3", login_or_token=token)
        cls.repo = cls.gh.get_repo(f"{cls.owner}/code")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        cls.urls.release()

    def tearDown(self):
        wrong, self.urls.wrong = self.urls.wrong, []
        self.assertEqual(wrong, [], f"URLs not under {URL}")

    def test_get_commit_by_branch_and_sha(self):
        commit = self.repo.get_commit("main")
        self.assertEqual(commit.sha, self.head)
        self.assertEqual(commit.commit.message, "Second\n\nwith a body\n")
        self.assertEqual(commit.commit.author.name, "Py Tests")
        self.assertEqual(commit.commit.author.email, "py@example.com")
        self.assertEqual(commit.commit.committer.name, "Py Committer")
        self.assertEqual(commit.commit.tree.sha, self.tree)
        self.assertEqual([p.sha for p in commit.parents], [self.parent])
        self.assertIsNone(commit.author)
        self.assertTrue(commit.html_url.endswith(f"/{self.owner}/code/commit/{self.head}"))
        self.assertEqual(self.repo.get_commit(self.parent[:10]).sha, self.parent)
        with self.assertRaises(github.GithubException) as caught:
            self.repo.get_commit("no-such-ref")
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(caught.exception.data["message"], "No commit found for SHA: no-such-ref")

    def test_commit_statuses_set_and_read(self):
        commit = self.repo.get_commit(self.head)
        created = commit.create_status("pending", target_url=foreign("https://ci.example.com/1"),
                                       description="building", context="ci/build")
        self.assertEqual(created.state, "pending")
        commit.create_status("success", description="built", context="ci/build")
        commit.create_status("failure", context="ci/lint")
        statuses = commit.get_statuses()
        self.assertEqual([(s.state, s.context) for s in statuses],
                         [("failure", "ci/lint"), ("success", "ci/build"), ("pending", "ci/build")])
        self.assertEqual(statuses.totalCount, 3)
        self.assertEqual(statuses[2].target_url, "https://ci.example.com/1")
        self.assertEqual(statuses[0].creator.login, self.owner)
        combined = commit.get_combined_status()
        self.assertEqual(combined.state, "failure")
        self.assertEqual(combined.sha, self.head)
        self.assertEqual(combined.total_count, 2)
        self.assertEqual(sorted(s.context for s in combined.statuses), ["ci/build", "ci/lint"])

    def test_hook_test_and_ping(self):
        hook = self.repo.create_hook("web", {"url": foreign("https://hooks.example.com/py"),
                                             "content_type": "json", "secret": "s3"},
                                     events=["push", "deployment"], active=True)
        before = int(psql(f"SELECT count(*) FROM deliveries WHERE hook_id = {hook.id}"))
        hook.test()  # 204: no push event exists here, so nothing is sent
        self.assertEqual(int(psql(f"SELECT count(*) FROM deliveries WHERE hook_id = {hook.id}")),
                         before)
        hook.ping()
        self.assertEqual(psql(f"SELECT event FROM deliveries WHERE hook_id = {hook.id}"), "ping")
        missing = self.repo.get_hook(hook.id)
        missing.delete()
        with self.assertRaises(github.UnknownObjectException):
            missing.test()


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
