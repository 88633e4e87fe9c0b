/*
 * A FastCGI request built by hand, for request_read() without a socket:
 * envp points at the parameters and the input stream serves a body from
 * memory, then reports end of stream the way libfcgi does when the client
 * sent nothing more. Linked by the unit tests and the fuzz targets.
 */
#ifndef DEPLOY_TEST_FAKE_FCGI_H
#define DEPLOY_TEST_FAKE_FCGI_H

#include <stddef.h>

#include <fcgiapp.h>

struct fake_fcgi {
	FCGX_Request req;
	FCGX_Stream in;
};

/* envp (NULL-terminated "NAME=value" strings) and body (len bytes) are
 * borrowed; f->req is the request to hand to request_read(). */
void fake_fcgi_init(struct fake_fcgi *f, char **envp, const char *body, size_t len);

#endif
