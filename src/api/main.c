/*
 * deploy-api: the FastCGI server. Parses the configuration, binds the socket
 * once, maps the shared rate-limit table (and the metrics, with
 * --metrics-listen), then hands over to the master,
 * which forks the workers (master.c, worker.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "buf.h"
#include "log.h"
#include "master.h"
#include "ratelimit.h"
#include "api_config.h"

#define LISTEN_BACKLOG 1024
#define RATELIMIT_SLOTS 65536

/*
 * The socket path belongs to the master that holds PATH.lock: a POSIX
 * record lock, which the kernel drops when that process dies and which
 * forked workers do not inherit. A second master while one lives is
 * refused; once the master is dead, a new one replaces the socket even
 * while the old workers still answer on it (they are finishing their
 * requests and will exit: worker.h), so a restart never waits for them
 * and never shares the socket with them. The lock file stays open (and
 * locked) until the process exits.
 */
static int
take_unix_path(const char *path)
{
	struct sockaddr_un sa;
	struct buf lock_path = BUF_INIT;
	struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "deploy-api: socket path too long: %s\n", path);
		return -1;
	}
	buf_printf(&lock_path, "%s.lock", path);
	fd = open(lock_path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fcntl(fd, F_SETLK, &lock) != 0) {
		if (fd >= 0 && (errno == EACCES || errno == EAGAIN) && fcntl(fd, F_GETLK, &lock) == 0)
			fprintf(stderr, "deploy-api: another server (pid %d) is listening on %s\n",
			    (int)lock.l_pid, path);
		else
			fprintf(stderr, "deploy-api: cannot lock %s: %s\n", lock_path.data, strerror(errno));
		if (fd >= 0)
			close(fd);
		buf_release(&lock_path);
		return -1;
	}
	buf_release(&lock_path);
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(stderr, "deploy-api: cannot remove stale socket %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
open_listen_socket(const char *listen)
{
	const char *bind_path = listen;
	bool is_unix = strncmp(listen, "unix:", 5) == 0;
	int fd;

	if (is_unix) {
		bind_path = listen + 5;
		if (take_unix_path(bind_path) < 0)
			return -1;
	} else if (strchr(listen, ':') == NULL) {
		fprintf(stderr, "deploy-api: --listen takes unix:/path or host:port, not '%s'\n", listen);
		return -1;
	}
	fd = FCGX_OpenSocket(bind_path, LISTEN_BACKLOG);
	if (fd < 0) {
		fprintf(stderr, "deploy-api: cannot listen on %s: %s\n", listen, strerror(errno));
		return -1;
	}
	/* nginx's workers must reach the socket; other users must not. */
	if (is_unix && chmod(bind_path, 0660) != 0) {
		fprintf(stderr, "deploy-api: cannot chmod %s: %s\n", bind_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Everything after the configuration: the socket, the shared table, the
 * master's loop. */
static int
serve(const struct api_config *config)
{
	struct ratelimit_table *ratelimit;
	struct api_metrics *metrics = NULL;
	int listen_fd;
	int rc;

	log_set_role("master");
	if (FCGX_Init() != 0) {
		fprintf(stderr, "deploy-api: cannot initialise libfcgi\n");
		return 1;
	}
	listen_fd = open_listen_socket(config->listen);
	if (listen_fd < 0)
		return 1;
	ratelimit = ratelimit_create(RATELIMIT_SLOTS);
	if (ratelimit == NULL) {
		fprintf(stderr, "deploy-api: cannot map the rate-limit table: %s\n", strerror(errno));
		close(listen_fd);
		return 1;
	}
	/* Room for a reload's two sets of workers, and a draining third. */
	if (config->metrics_listen[0] != '\0' &&
	    (metrics = api_metrics_create((size_t)config->workers * 3)) == NULL) {
		fprintf(stderr, "deploy-api: cannot map the metrics: %s\n", strerror(errno));
		ratelimit_destroy(ratelimit);
		close(listen_fd);
		return 1;
	}
	rc = master_run(config, listen_fd, ratelimit, metrics);
	api_metrics_destroy(metrics);
	ratelimit_destroy(ratelimit);
	close(listen_fd);
	if (strncmp(config->listen, "unix:", 5) == 0)
		unlink(config->listen + 5);
	return rc;
}

int
main(int argc, char **argv)
{
	struct api_config config;
	int rc;

	rc = api_config_parse(&config, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	rc = serve(&config);
	api_config_release(&config);
	return rc;
}
