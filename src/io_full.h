/* io_full: whole reads and writes that the short-count rules of read(2),
 * send(2) and fread(3) would otherwise make every caller loop over. */
#ifndef GGSCOPE_IO_FULL_H
#define GGSCOPE_IO_FULL_H

#include <stddef.h>

#include "errmsg.h"

/* The whole file at path in a malloc'ed buffer (free it); *len its size.
 * Reads to EOF, so it works on pipes and files that grow too. NULL with err
 * ("PATH: reason") when it cannot be opened or read; an empty file is a
 * valid, non-NULL buffer of length 0. */
unsigned char *io_read_file(const char *path, size_t *len, errmsg *err);

/* Send all n bytes on a stream socket, retrying on EINTR; MSG_NOSIGNAL, so
 * a closed peer is an error return, not SIGPIPE. 0, or -1 (errno set). */
int io_send_full(int fd, const void *buf, size_t n);

#endif
