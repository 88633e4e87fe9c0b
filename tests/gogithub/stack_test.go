// The go-github tests' side of the stack that run-with-stack.sh started:
// provisioning through deployctl and psql, and a go-github client set up as
// a GitHub Enterprise Server user sets one up (NewEnterpriseClient over an
// oauth2 client), whose transport checks every URL the server sends back.
//
// The environment: DEPLOY_URL (http://127.0.0.1:PORT, or https://localhost:PORT
// with DEPLOY_TLS=1, the CA then trusted through SSL_CERT_FILE), DEPLOY_DB,
// DEPLOY_BIN, and GOGITHUB_GIT_DIR (a bare repository made by gogithub.sh
// with scripts/lib.sh's demo_git_repo).
package gogithub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/github"
	"golang.org/x/oauth2"
)

var (
	deployURL = strings.TrimRight(mustEnv("DEPLOY_URL"), "/")
	deployDB  = mustEnv("DEPLOY_DB")
	deployBin = mustEnv("DEPLOY_BIN")
	gitDir    = mustEnv("GOGITHUB_GIT_DIR")
	apiURL    = deployURL + "/api/v3/"
	ctx       = context.Background()
)

func mustEnv(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "%s is not set: run through tests/gogithub/gogithub.sh\n", name)
		os.Exit(1)
	}
	return value
}

// ---------------------------------------------------------------------------
// Provisioning

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func deployctl(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, deployBin+"/deployctl", append([]string{"--db", deployDB}, args...)...)
}

// psql runs one statement of the test's own making; rows by line.
func psql(t *testing.T, sql string) string {
	t.Helper()
	return run(t, "psql", "-X", "-Atc", sql, deployDB)
}

// outboxBody is the body outbox row id's event is delivered with, as
// deploy-dispatch renders it at fan-out (--show-outbox: the row stays).
func outboxBody(t *testing.T, id string) string {
	t.Helper()
	line := run(t, deployBin+"/deploy-dispatch", "--db", deployDB, "--show-outbox", id)
	tab := strings.IndexByte(line, '\t')
	if tab < 0 {
		t.Fatalf("outbox row %s not shown: %q", id, line)
	}
	return line[tab+1:]
}

func git(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, "git", append([]string{"--git-dir", gitDir}, args...)...)
}

var names struct {
	sync.Mutex
	n int
}

// uniqueName is a valid login and repository name, new in this run.
func uniqueName(prefix string) string {
	names.Lock()
	defer names.Unlock()
	names.n++
	return fmt.Sprintf("%s-go%d-%d", prefix, os.Getpid(), names.n)
}

// newUser creates a user with one token ("0": unlimited requests).
func newUser(t *testing.T, rateLimit string) (login, token string) {
	t.Helper()
	login = uniqueName("gouser")
	deployctl(t, "user", "create", login)
	token = deployctl(t, "token", "create", login, "--scopes", "repo", "--rate-limit", rateLimit)
	return login, token
}

// newRepo creates owner/NAME over the demo repository (main, topic, v1.0);
// each test has its own, so that commit statuses and deployments of one test
// never decide another's.
func newRepo(t *testing.T, owner string) string {
	t.Helper()
	name := uniqueName("gorepo")
	deployctl(t, "repo", "create", owner+"/"+name, "--git-dir", gitDir)
	return name
}

// fixture: a new owner, a repository of theirs and a client with their token.
func fixture(t *testing.T) (owner, repo string, gh *github.Client) {
	t.Helper()
	owner, token := newUser(t, "0")
	return owner, newRepo(t, owner), client(t, token)
}

// ---------------------------------------------------------------------------
// Clients

// Every URL the server renders must be its own (https:// over TLS); URLs a
// test sends (a status's target_url, a hook's config.url) come back as sent,
// and are declared with foreign().
var foreignURLs sync.Map

func foreign(url string) string {
	foreignURLs.Store(url, true)
	return url
}

var linkURL = regexp.MustCompile(`<([^>]*)>`)

// urlChecker fails the test for a rendered URL that is not the stack's.
type urlChecker struct {
	t    *testing.T
	next http.RoundTripper
}

func (c urlChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	where := req.Method + " " + req.URL.Path
	for _, m := range linkURL.FindAllStringSubmatch(res.Header.Get("Link"), -1) {
		c.checkURL(where, "Link", m[1])
	}
	var doc interface{}
	if len(body) > 0 && json.Unmarshal(body, &doc) == nil {
		c.walk(where, "", doc)
	}
	return res, nil
}

func (c urlChecker) walk(where, key string, v interface{}) {
	switch v := v.(type) {
	case map[string]interface{}:
		for k, child := range v {
			c.walk(where, k, child)
		}
	case []interface{}:
		for _, child := range v {
			c.walk(where, key, child)
		}
	case string:
		// documentation_url is GitHub's documentation; git_url and ssh_url
		// are git's (git://, git@host:), "" means none set.
		web := strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")
		if (key == "url" || strings.HasSuffix(key, "_url")) && key != "documentation_url" && web {
			c.checkURL(where, key, v)
		}
	}
}

func (c urlChecker) checkURL(where, key, url string) {
	if _, sent := foreignURLs.Load(url); sent {
		return
	}
	if !strings.HasPrefix(url, deployURL+"/") {
		c.t.Errorf("%s: %s %q is not under %s", where, key, url, deployURL)
	}
}

// client is what a go-github user writes for GitHub Enterprise Server, with
// the token through oauth2 (Authorization: Bearer).
func client(t *testing.T, token string) *github.Client {
	t.Helper()
	checked := &http.Client{Transport: urlChecker{t: t, next: http.DefaultTransport}}
	httpClient := checked
	if token != "" {
		withChecks := context.WithValue(ctx, oauth2.HTTPClient, checked)
		httpClient = oauth2.NewClient(withChecks, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	}
	gh, err := github.NewEnterpriseClient(apiURL, apiURL, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	return gh
}

// ---------------------------------------------------------------------------
// Errors

// errorResponse fails unless err is go-github's *ErrorResponse for status
// with that message, and returns it.
func errorResponse(t *testing.T, err error, status int, message string) *github.ErrorResponse {
	t.Helper()
	e, ok := err.(*github.ErrorResponse)
	if !ok {
		t.Fatalf("want *github.ErrorResponse %d %q, got %T: %v", status, message, err, err)
	}
	if e.Response.StatusCode != status || e.Message != message {
		t.Fatalf("want %d %q, got %d %q (%v)", status, message, e.Response.StatusCode, e.Message, e.Errors)
	}
	if !strings.HasPrefix(e.DocumentationURL, "https://docs.github.com/") {
		t.Errorf("documentation_url %q", e.DocumentationURL)
	}
	return e
}

// validationFailed fails unless err is GitHub's 422 Validation Failed with
// one error, on resource's field, with that code.
func validationFailed(t *testing.T, err error, resource, field, code string) *github.Error {
	t.Helper()
	e := errorResponse(t, err, 422, "Validation Failed")
	if len(e.Errors) != 1 || e.Errors[0].Resource != resource || e.Errors[0].Field != field || e.Errors[0].Code != code {
		t.Fatalf("want %s.%s %s, got errors %+v", resource, field, code, e.Errors)
	}
	return &e.Errors[0]
}

func equal(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}
