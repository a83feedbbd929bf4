#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "editor.h"

const char *
editor_kernels_dir(void)
{
	const char *d = getenv("GGSCOPE_KERNELS_DIR");

	return d != NULL && *d != '\0' ? d : GGSCOPE_PKGDATADIR "/kernels";
}

bool
editor_cache_dir(char *buf, size_t len, errmsg *err)
{
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");

	if (x != NULL && *x == '/')
		snprintf(buf, len, "%s/ggscope/kernels", x);
	else if (h != NULL && *h != '\0')
		snprintf(buf, len, "%s/.cache/ggscope/kernels", h);
	else {
		errmsg_set(err, "neither XDG_CACHE_HOME nor HOME is set: no place for an editable kernel copy");
		return false;
	}
	return true;
}

/* mkdir -p. */
static int
make_dirs(const char *path, errmsg *err)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf)) {
		errmsg_set(err, "path too long: %s", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			errmsg_errno(err, errno, "mkdir %s", buf);
			return -1;
		}
		buf[i] = path[i];
	}
	return 0;
}

/* Copy src to dst unless dst exists (it may hold the user's edits). */
static int
copy_file(const char *src, const char *dst, errmsg *err)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	if (access(dst, F_OK) == 0)
		return 0;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		errmsg_errno(err, errno, "open %s", src);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		errmsg_errno(err, errno, "create %s", dst);
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			errmsg_errno(err, errno, "write %s", dst);
			close(in);
			close(out);
			unlink(dst);
			return -1;
		}
	}
	if (n < 0)
		errmsg_errno(err, errno, "read %s", src);
	close(in);
	if (close(out) != 0 && n >= 0) {
		errmsg_errno(err, errno, "close %s", dst);
		n = -1;
	}
	if (n < 0)
		unlink(dst);
	return n < 0 ? -1 : 0;
}

int
editor_prepare(const char *kernels_dir, const char *file, const char *cache_dir,
	char *path, size_t path_len, char *dir, size_t dir_len, errmsg *err)
{
	char src[4096], dst[4096];
	struct dirent *de;
	DIR *d;

	if (file == NULL || *file == '\0' || strchr(file, '/') != NULL) {
		errmsg_set(err, "no kernel file for this variant");
		return -1;
	}
	snprintf(src, sizeof(src), "%s/%s", kernels_dir, file);
	if (access(src, R_OK) != 0) {
		errmsg_errno(err, errno, "kernel source %s", src);
		return -1;
	}
	if (access(src, W_OK) == 0 && access(kernels_dir, W_OK) == 0) {
		snprintf(path, path_len, "%s", src);
		snprintf(dir, dir_len, "%s", kernels_dir);
		return 0;
	}
	/* Read-only install: the whole directory, since kernels include
	 * their shared headers by relative name. */
	if (make_dirs(cache_dir, err) != 0)
		return -1;
	d = opendir(kernels_dir);
	if (d == NULL) {
		errmsg_errno(err, errno, "open %s", kernels_dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", kernels_dir, de->d_name);
		if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		snprintf(dst, sizeof(dst), "%s/%s", cache_dir, de->d_name);
		if (copy_file(src, dst, err) != 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	snprintf(path, path_len, "%s/%s", cache_dir, file);
	snprintf(dir, dir_len, "%s", cache_dir);
	return 0;
}

int
editor_run(const char *path, errmsg *err)
{
	const char *ed = getenv("VISUAL");
	pid_t pid;
	int status;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	pid = fork();
	if (pid < 0) {
		errmsg_errno(err, errno, "fork");
		return -1;
	}
	if (pid == 0) {
		/* "$0" is the editor command as the user wrote it (it may carry
		 * arguments); "$1" the file, quoted by the shell, not by us. */
		execl("/bin/sh", "sh", "-c", "eval \"$0 \\\"\\$1\\\"\"", ed, path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			errmsg_errno(err, errno, "waitpid");
			return -1;
		}
	}
	if (WIFSIGNALED(status)) {
		errmsg_set(err, "editor '%s' killed by signal %d", ed, WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127) {
		errmsg_set(err, "cannot run editor '%s' (set EDITOR)", ed);
		return -1;
	}
	return WEXITSTATUS(status);
}

editor_stamp
editor_stat(const char *path)
{
	editor_stamp s = { false, 0, 0 };
	struct stat st;

	if (path == NULL || stat(path, &st) != 0)
		return s;
	s.exists = true;
	s.mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	s.size = (long long)st.st_size;
	return s;
}

bool
editor_changed(editor_stamp a, editor_stamp b)
{
	return a.exists != b.exists || a.mtime_ns != b.mtime_ns || a.size != b.size;
}
