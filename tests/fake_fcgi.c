#include "config.h"

#include "fake_fcgi.h"

#include <string.h>

static void
fake_fill(FCGX_Stream *stream)
{
	stream->isClosed = 1;
}

void
fake_fcgi_init(struct fake_fcgi *f, char **envp, const char *body, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->in.rdNext = (unsigned char *)(body ? body : "");
	f->in.stop = f->in.rdNext + len;
	f->in.wrNext = f->in.stop;
	f->in.stopUnget = f->in.rdNext;
	f->in.isReader = 1;
	f->in.fillBuffProc = fake_fill;
	f->req.in = &f->in;
	f->req.envp = envp;
	f->req.ipcFd = -1;
}
