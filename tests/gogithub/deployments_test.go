// go-github's deployments and deployment statuses, as its users call them:
// RepositoriesService.CreateDeployment, GetDeployment, ListDeployments
// (filters, and Response.NextPage/LastPage from the Link header),
// DeleteDeployment, CreateDeployment's 202 (auto_merge) as *AcceptedError,
// CreateDeploymentStatus, ListDeploymentStatuses, GetDeploymentStatus.
package gogithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/github"
)

const activeMessage = "We cannot delete an active deployment unless it is the only deployment in a given environment."

func create(t *testing.T, gh *github.Client, owner, repo string, req *github.DeploymentRequest) *github.Deployment {
	t.Helper()
	d, res, err := gh.Repositories.CreateDeployment(ctx, owner, repo, req)
	if err != nil {
		t.Fatalf("CreateDeployment %v: %v", github.Stringify(req), err)
	}
	equal(t, "status", res.StatusCode, http.StatusCreated)
	return d
}

func TestCreateAndGetDeployment(t *testing.T) {
	owner, repo, gh := fixture(t)
	payload := map[string]interface{}{"region": "eu", "replicas": 3.0, "flags": []interface{}{true, nil}}
	before := time.Now().Add(-2 * time.Second)
	d := create(t, gh, owner, repo, &github.DeploymentRequest{
		Ref:              github.String("topic"),
		Task:             github.String("deploy:migrations"),
		Payload:          payload,
		Environment:      github.String("staging"),
		Description:      github.String("Ship the feature"),
		RequiredContexts: &[]string{},
	})
	equal(t, "sha", d.GetSHA(), git(t, "rev-parse", "topic"))
	equal(t, "ref", d.GetRef(), "topic")
	equal(t, "task", d.GetTask(), "deploy:migrations")
	equal(t, "environment", d.GetEnvironment(), "staging")
	equal(t, "description", d.GetDescription(), "Ship the feature")
	equal(t, "creator", d.GetCreator().GetLogin(), owner)
	var gotPayload map[string]interface{}
	if err := json.Unmarshal(d.Payload, &gotPayload); err != nil || !reflect.DeepEqual(gotPayload, payload) {
		t.Errorf("payload %s (%v), want %v", d.Payload, err, payload)
	}
	base := fmt.Sprintf("%srepos/%s/%s/deployments/%d", apiURL, owner, repo, d.GetID())
	equal(t, "url", d.GetURL(), base)
	equal(t, "statuses_url", d.GetStatusesURL(), base+"/statuses")
	equal(t, "repository_url", d.GetRepositoryURL(), fmt.Sprintf("%srepos/%s/%s", apiURL, owner, repo))
	if d.GetNodeID() == "" {
		t.Error("no node_id")
	}
	if created := d.GetCreatedAt().Time; created.Before(before) || created.After(time.Now().Add(2*time.Second)) {
		t.Errorf("created_at %v", created)
	}

	got, res, err := gh.Repositories.GetDeployment(ctx, owner, repo, d.GetID())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "GET status", res.StatusCode, http.StatusOK)
	if github.Stringify(got) != github.Stringify(d) {
		t.Errorf("GetDeployment %v\nCreateDeployment %v", github.Stringify(got), github.Stringify(d))
	}

	// Defaults: the main branch's head in production, an empty payload.
	plain := create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String("main")})
	equal(t, "default sha", plain.GetSHA(), git(t, "rev-parse", "main"))
	equal(t, "default environment", plain.GetEnvironment(), "production")
	equal(t, "default task", plain.GetTask(), "deploy")
	equal(t, "default payload", string(plain.Payload), "{}")
}

func TestDeploymentErrors(t *testing.T) {
	owner, repo, gh := fixture(t)

	_, _, err := gh.Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{Ref: github.String("no-such-branch")})
	errorResponse(t, err, 422, "No ref found for: no-such-branch")

	long := strings.Repeat("t", 129)
	_, _, err = gh.Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{
		Ref: github.String("main"), Task: github.String(long)})
	validationFailed(t, err, "Deployment", "task", "invalid")

	// required_contexts: every context by default, the named ones, or none.
	sha := git(t, "rev-parse", "main")
	for context, state := range map[string]string{"ci/a": "success", "ci/b": "failure"} {
		if _, _, err := gh.Repositories.CreateStatus(ctx, owner, repo, sha, &github.RepoStatus{
			State: github.String(state), Context: github.String(context)}); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = gh.Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{Ref: github.String("main")})
	e := errorResponse(t, err, 409, "Conflict: Commit status checks failed for main.")
	if len(e.Errors) != 1 || e.Errors[0].Field != "required_contexts" || e.Errors[0].Code != "invalid" {
		t.Errorf("errors %+v", e.Errors)
	}
	create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String("main"), RequiredContexts: &[]string{"ci/a"}})
	create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String("main"), RequiredContexts: &[]string{}})

	_, _, err = gh.Repositories.GetDeployment(ctx, owner, repo, 1<<40)
	errorResponse(t, err, 404, "Not Found")
	_, _, err = gh.Repositories.ListDeployments(ctx, owner, "no-such-repo", nil)
	errorResponse(t, err, 404, "Not Found")
	_, _, err = client(t, "").Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{Ref: github.String("main")})
	errorResponse(t, err, 401, "Requires authentication")
}

// auto_merge (on by default): a branch behind the default one is merged
// first and the answer is 202, which go-github returns as *AcceptedError.
func TestAutoMerge(t *testing.T) {
	owner, repo, gh := fixture(t)
	behind := uniqueName("behind")
	git(t, "branch", behind, "main~1")

	_, _, err := gh.Repositories.CreateDeployment(ctx, owner, repo, &github.DeploymentRequest{Ref: github.String(behind)})
	accepted, ok := err.(*github.AcceptedError)
	if !ok {
		t.Fatalf("want *github.AcceptedError, got %T: %v", err, err)
	}
	var body map[string]string
	if err := json.Unmarshal(accepted.Raw, &body); err != nil {
		t.Fatalf("202 body %q: %v", accepted.Raw, err)
	}
	equal(t, "202 message", body["message"], fmt.Sprintf("Auto-merged main into %s on deployment.", behind))
	merged := git(t, "rev-parse", behind)
	equal(t, "merged", git(t, "merge-base", "--is-ancestor", "main", merged), "")

	d := create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String(behind)})
	equal(t, "sha", d.GetSHA(), merged)
}

func ids(list []*github.Deployment) []int64 {
	out := make([]int64, len(list))
	for i, d := range list {
		out[i] = d.GetID()
	}
	return out
}

func TestListDeployments(t *testing.T) {
	owner, repo, gh := fixture(t)
	none := &[]string{}
	var made []int64 // oldest first
	for i := 0; i < 7; i++ {
		req := &github.DeploymentRequest{Ref: github.String("main"), Environment: github.String(fmt.Sprintf("env-%d", i%2)),
			RequiredContexts: none}
		if i == 3 {
			req.Ref, req.Task = github.String("topic"), github.String("deploy:other")
		}
		made = append(made, create(t, gh, owner, repo, req).GetID())
	}
	newest := func(keep func(i int) bool) []int64 {
		var out []int64
		for i := len(made) - 1; i >= 0; i-- {
			if keep(i) {
				out = append(out, made[i])
			}
		}
		return out
	}

	// Pages of 3, followed by Response.NextPage as go-github users do.
	var all []int64
	opts := &github.DeploymentsListOptions{ListOptions: github.ListOptions{PerPage: 3}}
	for pages := 1; ; pages++ {
		list, res, err := gh.Repositories.ListDeployments(ctx, owner, repo, opts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids(list)...)
		wantNext := map[int]int{1: 2, 2: 3, 3: 0}[pages]
		equal(t, fmt.Sprintf("page %d NextPage", pages), res.NextPage, wantNext)
		if pages > 1 {
			equal(t, fmt.Sprintf("page %d PrevPage", pages), res.PrevPage, pages-1)
			equal(t, fmt.Sprintf("page %d FirstPage", pages), res.FirstPage, 1)
		}
		if res.NextPage != 0 {
			equal(t, fmt.Sprintf("page %d LastPage", pages), res.LastPage, 3)
		}
		if res.NextPage == 0 || pages > 3 {
			break
		}
		opts.Page = res.NextPage
	}
	equal(t, "every page, newest first", all, newest(func(int) bool { return true }))

	filtered := func(opts github.DeploymentsListOptions) []int64 {
		t.Helper()
		list, _, err := gh.Repositories.ListDeployments(ctx, owner, repo, &opts)
		if err != nil {
			t.Fatal(err)
		}
		return ids(list)
	}
	equal(t, "environment", filtered(github.DeploymentsListOptions{Environment: "env-0"}),
		newest(func(i int) bool { return i%2 == 0 }))
	equal(t, "ref", filtered(github.DeploymentsListOptions{Ref: "topic"}), []int64{made[3]})
	equal(t, "sha", filtered(github.DeploymentsListOptions{SHA: git(t, "rev-parse", "topic")}), []int64{made[3]})
	equal(t, "task", filtered(github.DeploymentsListOptions{Task: "deploy:other"}), []int64{made[3]})
	equal(t, "environment and task", filtered(github.DeploymentsListOptions{Environment: "env-0", Task: "deploy:other"}), []int64{})
	equal(t, "environment over pages of 2", filtered(github.DeploymentsListOptions{Environment: "env-1",
		ListOptions: github.ListOptions{PerPage: 2, Page: 2}}), newest(func(i int) bool { return i == 1 }))
}

func TestDeploymentStatuses(t *testing.T) {
	owner, repo, gh := fixture(t)
	first := create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String("main"), RequiredContexts: &[]string{}})

	progress, res, err := gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, first.GetID(), &github.DeploymentStatusRequest{
		State: github.String("in_progress"), LogURL: github.String(foreign("https://ci.example.com/log/1")),
		Description: github.String("rolling out")})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "status", res.StatusCode, http.StatusCreated)
	equal(t, "state", progress.GetState(), "in_progress")
	equal(t, "log_url", progress.GetLogURL(), "https://ci.example.com/log/1")
	equal(t, "target_url follows log_url", progress.GetTargetURL(), "https://ci.example.com/log/1")
	equal(t, "environment", progress.GetEnvironment(), "production")
	equal(t, "creator", progress.GetCreator().GetLogin(), owner)
	equal(t, "deployment_url", progress.GetDeploymentURL(), first.GetURL())
	equal(t, "url", progress.GetURL(), fmt.Sprintf("%s/statuses/%d", first.GetURL(), progress.GetID()))

	success, _, err := gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, first.GetID(), &github.DeploymentStatusRequest{
		State: github.String("success"), EnvironmentURL: github.String(foreign("https://app.example.com/"))})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "environment_url", success.GetEnvironmentURL(), "https://app.example.com/")

	got, _, err := gh.Repositories.GetDeploymentStatus(ctx, owner, repo, first.GetID(), progress.GetID())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "GetDeploymentStatus", github.Stringify(got), github.Stringify(progress))
	_, _, err = gh.Repositories.GetDeploymentStatus(ctx, owner, repo, first.GetID(), 1<<40)
	errorResponse(t, err, 404, "Not Found")

	// A later success in the same environment makes the first inactive.
	second := create(t, gh, owner, repo, &github.DeploymentRequest{Ref: github.String("main"), RequiredContexts: &[]string{}})
	if _, _, err := gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, second.GetID(), &github.DeploymentStatusRequest{
		State: github.String("success")}); err != nil {
		t.Fatal(err)
	}
	list, _, err := gh.Repositories.ListDeploymentStatuses(ctx, owner, repo, first.GetID(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, s := range list {
		states = append(states, s.GetState())
	}
	equal(t, "statuses, newest first", states, []string{"inactive", "success", "in_progress"})
	page, res, err := gh.Repositories.ListDeploymentStatuses(ctx, owner, repo, first.GetID(), &github.ListOptions{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "first page", len(page), 2)
	equal(t, "NextPage", res.NextPage, 2)

	_, _, err = gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, first.GetID(), &github.DeploymentStatusRequest{
		State: github.String("shipped")})
	// GitHub's own wording for a value outside an enumeration.
	e := validationFailed(t, err, "DeploymentStatus", "state", "custom")
	equal(t, "message", e.Message, "state is not included in the list")
}

func TestDeleteDeployment(t *testing.T) {
	owner, repo, gh := fixture(t)
	req := &github.DeploymentRequest{Ref: github.String("main"), RequiredContexts: &[]string{}}
	older := create(t, gh, owner, repo, req)
	active := create(t, gh, owner, repo, req)
	if _, _, err := gh.Repositories.CreateDeploymentStatus(ctx, owner, repo, active.GetID(),
		&github.DeploymentStatusRequest{State: github.String("success")}); err != nil {
		t.Fatal(err)
	}

	// Active beside another deployment of its environment: 422, whose
	// errors are strings, which go-github reads into Error.Message.
	_, err := gh.Repositories.DeleteDeployment(ctx, owner, repo, active.GetID())
	e := errorResponse(t, err, 422, "Validation Failed")
	if len(e.Errors) != 1 || e.Errors[0].Message != activeMessage {
		t.Errorf("errors %+v", e.Errors)
	}

	res, err := gh.Repositories.DeleteDeployment(ctx, owner, repo, older.GetID())
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "delete status", res.StatusCode, http.StatusNoContent)
	_, _, err = gh.Repositories.GetDeployment(ctx, owner, repo, older.GetID())
	errorResponse(t, err, 404, "Not Found")

	// Alone in its environment now: deleted although active.
	if _, err := gh.Repositories.DeleteDeployment(ctx, owner, repo, active.GetID()); err != nil {
		t.Fatal(err)
	}
	_, err = gh.Repositories.DeleteDeployment(ctx, owner, repo, active.GetID())
	errorResponse(t, err, 404, "Not Found")
}
