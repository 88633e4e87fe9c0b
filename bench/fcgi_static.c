/*
 * fcgi_static: the "trivial libfcgi program" of docs/performance.md, the H
 * of the combined ceiling (see /work/shared/PERFORMANCE.md).
 *
 *   fcgi_static SOCKET_PATH NPROCS RESPONSE_FILE
 *
 * The master opens the FastCGI socket, reads RESPONSE_FILE (CGI headers,
 * a blank line and the body: exactly what the product's worker writes for
 * the endpoint), forks NPROCS children that each answer every request with
 * those bytes from an FCGX_Accept_r loop, and waits. SIGTERM or SIGINT stops
 * the children and removes the socket.
 *
 * Build: cc -O2 bench/fcgi_static.c -lfcgi -o fcgi_static
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			if (data == NULL) {
				fclose(f);
				return NULL;
			}
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return data;
}

static void
serve(int sock, const char *response, int len)
{
	FCGX_Request req;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (FCGX_InitRequest(&req, sock, 0) != 0)
		_exit(1);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(response, len, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char *response;
	size_t len;
	pid_t *kids;
	int nprocs, sock, i;

	if (argc != 4 || (nprocs = atoi(argv[2])) < 1 || nprocs > 256) {
		fprintf(stderr, "usage: fcgi_static SOCKET_PATH NPROCS RESPONSE_FILE\n");
		return 2;
	}
	if ((response = read_file(argv[3], &len)) == NULL || len == 0) {
		fprintf(stderr, "fcgi_static: cannot read %s\n", argv[3]);
		return 1;
	}
	if (FCGX_Init() != 0) {
		fprintf(stderr, "fcgi_static: FCGX_Init failed\n");
		return 1;
	}
	unlink(argv[1]);
	sock = FCGX_OpenSocket(argv[1], 1024);
	if (sock < 0) {
		fprintf(stderr, "fcgi_static: cannot listen on %s\n", argv[1]);
		return 1;
	}
	/* nginx's workers must be able to connect, whatever account they use. */
	chmod(argv[1], 0777);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	kids = calloc((size_t)nprocs, sizeof(*kids));
	for (i = 0; i < nprocs; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fcgi_static: fork");
			stopping = 1;
			break;
		}
		if (kids[i] == 0)
			serve(sock, response, (int)len);
	}
	while (!stopping) {
		pid_t pid = wait(NULL);

		if (pid < 0 && errno == ECHILD)
			break;
		if (pid > 0 && !stopping)
			fprintf(stderr, "fcgi_static: child %d exited\n", (int)pid);
	}
	for (i = 0; i < nprocs; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(argv[1]);
	return 0;
}
