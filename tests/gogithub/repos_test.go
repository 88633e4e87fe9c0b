// go-github's other calls a deployment tool makes: RepositoriesService.Get,
// the rate limit on every Response (and *RateLimitError when it is spent),
// GetCommit, commit statuses (CreateStatus, ListStatuses,
// GetCombinedStatus), hooks (CreateHook, ListHooks, GetHook, EditHook,
// PingHook, DeleteHook) and Dispatch (repository_dispatch).
package gogithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/github"
)

func TestRepositoryGet(t *testing.T) {
	owner, repo, gh := fixture(t)
	r, _, err := gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "full_name", r.GetFullName(), owner+"/"+repo)
	equal(t, "owner", r.GetOwner().GetLogin(), owner)
	equal(t, "default_branch", r.GetDefaultBranch(), "main")
	equal(t, "private", r.GetPrivate(), false)
	equal(t, "admin", r.GetPermissions()["admin"], true)
	equal(t, "url", r.GetURL(), fmt.Sprintf("%srepos/%s/%s", apiURL, owner, repo))
	equal(t, "deployments_url", r.GetDeploymentsURL(), r.GetURL()+"/deployments")
	if r.GetID() <= 0 {
		t.Errorf("id %d", r.GetID())
	}

	_, _, err = gh.Repositories.Get(ctx, owner, "no-such-repo")
	errorResponse(t, err, 404, "Not Found")
	_, _, err = client(t, "not-a-token").Repositories.Get(ctx, owner, repo)
	errorResponse(t, err, 401, "Bad credentials")
}

func TestRateLimit(t *testing.T) {
	owner, token := newUser(t, "3")
	repo := newRepo(t, owner)
	gh := client(t, token)
	before := time.Now().Add(-time.Second)
	var reset time.Time
	for used := 1; used <= 3; used++ {
		_, res, err := gh.Repositories.Get(ctx, owner, repo)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "Rate.Limit", res.Rate.Limit, 3)
		equal(t, "Rate.Remaining", res.Rate.Remaining, 3-used)
		if used == 1 {
			reset = res.Rate.Reset.Time
		}
		equal(t, "Rate.Reset", res.Rate.Reset.Time, reset)
	}
	if reset.Before(before) || reset.After(before.Add(time.Hour+5*time.Second)) {
		t.Errorf("Rate.Reset %v, now %v", reset, before)
	}

	// The client that read Remaining 0 refuses by itself until Reset; a
	// new one asks, and the server's 403 is go-github's RateLimitError too.
	for _, fresh := range []bool{false, true} {
		if fresh {
			gh = client(t, token)
		}
		_, _, err := gh.Repositories.Get(ctx, owner, repo)
		limited, ok := err.(*github.RateLimitError)
		if !ok {
			t.Fatalf("want *github.RateLimitError, got %T: %v", err, err)
		}
		equal(t, "403", limited.Response.StatusCode, http.StatusForbidden)
		equal(t, "Rate.Remaining", limited.Rate.Remaining, 0)
		equal(t, "Rate.Reset", limited.Rate.Reset.Time, reset)
		want := "API rate limit exceeded for user ID "
		if !fresh {
			want = "API rate limit of 3 still exceeded until "
		}
		if !strings.HasPrefix(limited.Message, want) {
			t.Errorf("message %q, want %q...", limited.Message, want)
		}
	}

	// Unlimited tokens still get the headers.
	_, unlimited := newUser(t, "0")
	_, res, err := client(t, unlimited).Repositories.Get(ctx, owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rate.Limit <= 0 || res.Rate.Remaining <= 0 || res.Rate.Reset.IsZero() {
		t.Errorf("rate %+v", res.Rate)
	}
}

func TestGetCommit(t *testing.T) {
	owner, repo, gh := fixture(t)
	c, _, err := gh.Repositories.GetCommit(ctx, owner, repo, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "sha", c.GetSHA(), git(t, "rev-parse", "main"))
	equal(t, "message", c.GetCommit().GetMessage(), "Update app\n")
	equal(t, "parents", len(c.Parents), 1)
	equal(t, "parent", c.Parents[0].GetSHA(), git(t, "rev-parse", "main~1"))
	_, _, err = gh.Repositories.GetCommit(ctx, owner, repo, "no-such-ref", nil)
	errorResponse(t, err, 422, "No commit found for SHA: no-such-ref")
}

func TestCommitStatuses(t *testing.T) {
	owner, repo, gh := fixture(t)
	sha := git(t, "rev-parse", "main")
	set := func(state, context, targetURL string) *github.RepoStatus {
		t.Helper()
		s, res, err := gh.Repositories.CreateStatus(ctx, owner, repo, sha, &github.RepoStatus{
			State: github.String(state), Context: github.String(context), TargetURL: github.String(targetURL),
			Description: github.String(state + " " + context)})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "status", res.StatusCode, http.StatusCreated)
		return s
	}
	pending := set("pending", "ci/build", foreign("https://ci.example.com/build/1"))
	equal(t, "state", pending.GetState(), "pending")
	equal(t, "target_url", pending.GetTargetURL(), "https://ci.example.com/build/1")
	equal(t, "creator", pending.GetCreator().GetLogin(), owner)
	set("success", "ci/build", "")
	set("failure", "ci/lint", "")

	// A branch name reads the statuses of its head.
	list, _, err := gh.Repositories.ListStatuses(ctx, owner, repo, "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, s := range list {
		seen = append(seen, s.GetState()+" "+s.GetContext())
	}
	equal(t, "statuses, newest first", seen, []string{"failure ci/lint", "success ci/build", "pending ci/build"})

	combined, _, err := gh.Repositories.GetCombinedStatus(ctx, owner, repo, sha, nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "combined state", combined.GetState(), "failure")
	equal(t, "combined sha", combined.GetSHA(), sha)
	equal(t, "total_count", combined.GetTotalCount(), 2)
	var contexts []string
	for _, s := range combined.Statuses {
		contexts = append(contexts, s.GetState()+" "+s.GetContext())
	}
	sort.Strings(contexts)
	equal(t, "latest per context", contexts, []string{"failure ci/lint", "success ci/build"})

	_, _, err = gh.Repositories.CreateStatus(ctx, owner, repo, sha, &github.RepoStatus{State: github.String("done")})
	e := validationFailed(t, err, "Status", "state", "custom")
	equal(t, "message", e.Message, "state is not included in the list")
}

func TestHooks(t *testing.T) {
	owner, repo, gh := fixture(t)
	hookURL := foreign("https://hooks.example.com/go")
	hook, res, err := gh.Repositories.CreateHook(ctx, owner, repo, &github.Hook{
		Config: map[string]interface{}{"url": hookURL, "content_type": "json", "secret": "g0-s3cret"},
		Events: []string{"deployment", "deployment_status"},
		Active: github.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "status", res.StatusCode, http.StatusCreated)
	equal(t, "config.url", hook.Config["url"], hookURL)
	equal(t, "config.secret", hook.Config["secret"], "********")
	equal(t, "events", hook.Events, []string{"deployment", "deployment_status"})
	equal(t, "ping_url", hook.GetPingURL(), hook.GetURL()+"/pings")

	list, _, err := gh.Repositories.ListHooks(ctx, owner, repo, nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "hooks", len(list), 1)
	equal(t, "hook id", list[0].GetID(), hook.GetID())

	edited, _, err := gh.Repositories.EditHook(ctx, owner, repo, hook.GetID(), &github.Hook{Active: github.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "active", edited.GetActive(), false)

	res, err = gh.Repositories.PingHook(ctx, owner, repo, hook.GetID())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ping status", res.StatusCode, http.StatusNoContent)
	equal(t, "deliveries", psql(t, fmt.Sprintf("SELECT event FROM deliveries WHERE hook_id = %d", hook.GetID())), "ping")

	if _, err := gh.Repositories.DeleteHook(ctx, owner, repo, hook.GetID()); err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Repositories.GetHook(ctx, owner, repo, hook.GetID())
	errorResponse(t, err, 404, "Not Found")

	_, _, err = gh.Repositories.CreateHook(ctx, owner, repo, &github.Hook{Config: map[string]interface{}{"content_type": "json"}})
	errorResponse(t, err, 422, "Validation Failed")
}

func TestRepositoryDispatch(t *testing.T) {
	owner, repo, gh := fixture(t)
	r, _, err := gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		t.Fatal(err)
	}
	payload := json.RawMessage(`{"unit":false,"nested":{"list":[1,"two",null]}}`)
	_, res, err := gh.Repositories.Dispatch(ctx, owner, repo, github.DispatchRequestOptions{
		EventType: "on-demand-test", ClientPayload: &payload})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "status", res.StatusCode, http.StatusNoContent)
	row := outboxBody(t, psql(t, fmt.Sprintf("SELECT id FROM outbox WHERE event = 'repository_dispatch'"+
		" AND repository_id = %d", r.GetID())))
	var event struct {
		Action        string
		ClientPayload json.RawMessage `json:"client_payload"`
		Repository    struct{ URL string }
	}
	if err := json.Unmarshal([]byte(row), &event); err != nil {
		t.Fatalf("outbox %q: %v", row, err)
	}
	equal(t, "action", event.Action, "on-demand-test")
	var got, sent interface{}
	if json.Unmarshal(event.ClientPayload, &got) != nil || json.Unmarshal(payload, &sent) != nil || !reflect.DeepEqual(got, sent) {
		t.Errorf("client_payload %s, sent %s", event.ClientPayload, payload)
	}
	// The payload's URLs are the API's, carried in the row: the stack's too.
	equal(t, "repository.url", event.Repository.URL, r.GetURL())

	_, _, err = gh.Repositories.Dispatch(ctx, owner, repo, github.DispatchRequestOptions{EventType: ""})
	errorResponse(t, err, 422, "Validation Failed")
}
