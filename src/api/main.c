/*
 * deploy-api: the FastCGI server. Parses the configuration, binds the socket
 * once, maps the shared rate-limit table, then hands over to the master,
 * which forks the workers (master.c, worker.c).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "master.h"
#include "ratelimit.h"
#include "api_config.h"

#define LISTEN_BACKLOG 1024
#define RATELIMIT_SLOTS 65536

/* A unix socket path left by a previous run is removed, unless a live
 * server still answers on it. */
static int
prepare_unix_path(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "deploy-api: socket path too long: %s\n", path);
		return -1;
	}
	if (access(path, F_OK) != 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		fprintf(stderr, "deploy-api: another server is listening on %s\n", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	if (unlink(path) != 0) {
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
		if (prepare_unix_path(bind_path) < 0)
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

int
main(int argc, char **argv)
{
	struct api_config config;
	struct ratelimit_table *ratelimit;
	int listen_fd;
	int rc;

	rc = api_config_parse(&config, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	log_set_role("master");
	if (FCGX_Init() != 0) {
		fprintf(stderr, "deploy-api: cannot initialise libfcgi\n");
		return 1;
	}
	listen_fd = open_listen_socket(config.listen);
	if (listen_fd < 0)
		return 1;
	ratelimit = ratelimit_create(RATELIMIT_SLOTS);
	if (ratelimit == NULL) {
		fprintf(stderr, "deploy-api: cannot map the rate-limit table: %s\n", strerror(errno));
		close(listen_fd);
		return 1;
	}
	rc = master_run(&config, listen_fd, ratelimit);
	ratelimit_destroy(ratelimit);
	close(listen_fd);
	if (strncmp(config.listen, "unix:", 5) == 0)
		unlink(config.listen + 5);
	return rc;
}
