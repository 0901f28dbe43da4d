/* SPDX-License-Identifier: MIT */
/* Unit tests for src/core/file's walk of a path: where it ends, links
 * followed or refused by who could have planted them, "..", loops, the
 * bound on links, folders made, and the opens built on it; and the setting
 * aside of a damaged state file, with its one log line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/file.h"

static char dir[PATH_MAX];

/* dir/rel, in a static buffer of two. */
static const char *at(const char *rel)
{
	static char buf[2][PATH_MAX + 64];
	static int k;

	k = !k;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, rel);
	return buf[k];
}

/* Is fd the folder (or file) dir/rel? */
static int same(int fd, const char *rel)
{
	struct stat a, b;

	return fd >= 0 && fstat(fd, &a) == 0 && stat(at(rel), &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* A walk of dir/rel with flags that must end in the folder dir/in, at the
 * name name. */
struct walk_case {
	const char *rel;
	unsigned flags;
	const char *in, *name;
};

static const struct walk_case walks[] = {
	{ "a/b/f", 0, "a/b", "f" },
	{ "a/b/f", FILE_WALK_FOLLOW, "a/b", "f" },
	{ "a//b///f", 0, "a/b", "f" },
	/* A trailing slash names the last component all the same. */
	{ "a/b/", 0, "a", "b" },
	{ "a/b/.", 0, "a/b", "." },
	{ "a/b/..", 0, "a", "." },
	{ "a/./b/../b/f", 0, "a/b", "f" },
	/* The last component need not exist. */
	{ "a/b/none", FILE_WALK_FOLLOW, "a/b", "none" },
	/* Links, each in a folder only its owner may write. */
	{ "t/rel/f", 0, "a/b", "f" },
	{ "t/abs/b/f", 0, "a/b", "f" },
	{ "t/chain/f", 0, "a/b", "f" },
	/* ".." after a link is the target's parent, as for the kernel. */
	{ "t/rel/../b/f", 0, "a/b", "f" },
	{ "t/rel/..", 0, "a", "." },
	/* The last component: left to the caller, or followed. */
	{ "a/tofile", 0, "a", "tofile" },
	{ "a/tofile", FILE_WALK_FOLLOW, "a/b", "f" },
	{ "t/rel", FILE_WALK_FOLLOW, "a", "b" },
};

static void walks_to(const struct walk_case *c)
{
	struct file_walk w;
	int fd = file_walk(at(c->rel), c->flags, &w);

	if (fd < 0)
		printf("  %s: %s (%s)\n", c->rel, strerror(-fd), w.why);
	CHECK(same(fd, c->in));
	CHECK_STR(w.name, c->name);
	CHECK_STR(w.why, "");
	if (fd >= 0)
		close(fd);
}

static void mkfile(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
}

static void test_plain(void)
{
	struct file_walk w;
	struct stat a, b;
	int fd;

	CHECK_INT(mkdir(at("a"), 0755), 0);
	CHECK_INT(mkdir(at("a/b"), 0755), 0);
	mkfile("a/b/f");
	/* A component on the way must exist. */
	fd = file_walk(at("a/none/f"), 0, &w);
	CHECK_INT(fd, -ENOENT);
	CHECK_STR(w.why, "");
	CHECK_INT(file_walk(at("a/b/f/g"), 0, &w), -ENOTDIR);
	CHECK_INT(file_walk("", 0, &w), -ENOENT);
	/* "/" is the root that holds dir, even under qemu-user -L, which
	 * would serve its sysroot for "/" itself (so no stat("/") here). */
	fd = file_walk("/", 0, &w);
	CHECK(fd >= 0 && fstatat(fd, dir + 1, &a, 0) == 0 && stat(dir, &b) == 0 &&
	      a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	CHECK_STR(w.name, ".");
	if (fd >= 0)
		close(fd);
	/* A relative path walks from the working folder. */
	CHECK_INT(chdir(at("a")), 0);
	fd = file_walk("b/f", 0, &w);
	CHECK(same(fd, "a/b"));
	CHECK_STR(w.name, "f");
	if (fd >= 0)
		close(fd);
	CHECK_INT(chdir("/"), 0);
}

/* The table above, once its links are made. */
static void test_walks(void)
{
	CHECK_INT(mkdir(at("t"), 0755), 0);
	CHECK_INT(symlink("../a/b", at("t/rel")), 0);
	CHECK_INT(symlink(at("a"), at("t/abs")), 0);
	CHECK_INT(symlink("rel", at("t/chain")), 0);
	CHECK_INT(symlink("b/f", at("a/tofile")), 0);
	for (size_t i = 0; i < sizeof(walks) / sizeof(walks[0]); i++)
		walks_to(&walks[i]);
}

/* Links of others: refused with one line naming the link and why. */
static void test_links_refused(void)
{
	struct file_walk w;
	char want[FILE_WALK_WHY_BYTES];
	int fd;

	CHECK_INT(mkdir(at("ww"), 0755), 0);
	CHECK_INT(chmod(at("ww"), 0777), 0);
	CHECK_INT(symlink(at("a"), at("ww/l")), 0);
	fd = file_walk(at("ww/l/b/f"), 0, &w);
	CHECK_INT(fd, -EPERM);
	snprintf(want, sizeof(want),
		 "%s: a symbolic link in %s, which group or others may write (mode 0777, no sticky "
		 "bit); not followed", at("ww/l"), at("ww"));
	CHECK_STR(w.why, want);
	/* Group-writable alike. */
	CHECK_INT(chmod(at("ww"), 0775), 0);
	CHECK_INT(file_walk(at("ww/l/b/f"), 0, &w), -EPERM);
	/* As the last component: refused when followed, left alone when not. */
	CHECK_INT(file_walk(at("ww/l"), FILE_WALK_FOLLOW, &w), -EPERM);
	walks_to(&(struct walk_case){ "ww/l", 0, "ww", "l" });
	/* A trusted link whose target passes there: refused there. */
	CHECK_INT(symlink("../ww/l", at("t/via")), 0);
	CHECK_INT(file_walk(at("t/via/b"), 0, &w), -EPERM);
	CHECK(strncmp(w.why, at("ww/l: a symbolic link in "), strlen(at("ww/l: a symbolic link in "))) == 0);
	/* Sticky: our own link is followed. */
	CHECK_INT(chmod(at("ww"), 01777), 0);
	walks_to(&(struct walk_case){ "ww/l/b/f", 0, "a/b", "f" });
	if (geteuid() != 0) {
		printf("SKIP: not root: links and folders of uid 65534 not tried\n");
		return;
	}
	/* Sticky, the link another uid's: refused (protected_symlinks). */
	CHECK_INT(lchown(at("ww/l"), 65534, 65534), 0);
	CHECK_INT(file_walk(at("ww/l/b/f"), 0, &w), -EPERM);
	snprintf(want, sizeof(want),
		 "%s: a symbolic link of uid 65534 in the sticky folder %s (mode 1777), neither "
		 "root's, digestd's (uid 0) nor the folder owner's; not followed", at("ww/l"),
		 at("ww"));
	CHECK_STR(w.why, want);
	/* A folder of another uid, even 0755: its owner may swap the link. */
	CHECK_INT(chmod(at("ww"), 0755), 0);
	CHECK_INT(lchown(at("ww/l"), 0, 0), 0);
	CHECK_INT(chown(at("ww"), 65534, 65534), 0);
	CHECK_INT(file_walk(at("ww/l/b/f"), 0, &w), -EPERM);
	snprintf(want, sizeof(want),
		 "%s: a symbolic link in %s, which uid 65534 owns (neither root nor digestd's uid "
		 "0); not followed", at("ww/l"), at("ww"));
	CHECK_STR(w.why, want);
	CHECK_INT(chown(at("ww"), 0, 0), 0);
}

/* FILE_WALK_LINKS links in one walk, no more: a loop ends with a line. */
static void test_link_bound(void)
{
	char name[32], target[32], want[FILE_WALK_WHY_BYTES];
	struct file_walk w;

	CHECK_INT(mkdir(at("n"), 0755), 0);
	for (unsigned i = 1; i <= FILE_WALK_LINKS + 1; i++) {
		snprintf(name, sizeof(name), "n/l%u", i);
		snprintf(target, sizeof(target), "l%u", i - 1);
		CHECK_INT(symlink(i == 1 ? "../a" : target, at(name)), 0);
	}
	snprintf(name, sizeof(name), "n/l%u/b", FILE_WALK_LINKS);
	walks_to(&(struct walk_case){ name, 0, "a", "b" });
	snprintf(name, sizeof(name), "n/l%u/b", FILE_WALK_LINKS + 1);
	CHECK_INT(file_walk(at(name), 0, &w), -ELOOP);
	CHECK_INT(symlink("loop2", at("n/loop1")), 0);
	CHECK_INT(symlink("loop1", at("n/loop2")), 0);
	CHECK_INT(file_walk(at("n/loop1/x"), 0, &w), -ELOOP);
	snprintf(want, sizeof(want), "%s: more than %u symbolic links on the way (a loop?); "
		 "not followed", at("n/loop1"), FILE_WALK_LINKS);
	/* The 41st link met is loop1 again: the one named. */
	CHECK_STR(w.why, want);
}

/* FILE_WALK_MKDIR makes the missing folders of the path as given, mode
 * 0700, but never the target of a link. */
static void test_mkdir(void)
{
	struct file_walk w;
	struct stat st;
	int fd;

	walks_to(&(struct walk_case){ "m/x/y", FILE_WALK_FOLLOW | FILE_WALK_MKDIR, "m/x", "y" });
	CHECK(stat(at("m/x/y"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	CHECK_INT(symlink("gone/state", at("m/dangling")), 0);
	fd = file_walk(at("m/dangling"), FILE_WALK_FOLLOW | FILE_WALK_MKDIR, &w);
	CHECK_INT(fd, -ENOENT);
	CHECK(lstat(at("m/gone"), &st) < 0 && errno == ENOENT);
	/* Through a link that leads somewhere: what follows it is made. */
	CHECK_INT(symlink("x", at("m/tox")), 0);
	walks_to(&(struct walk_case){ "m/tox/z", FILE_WALK_FOLLOW | FILE_WALK_MKDIR, "m/x", "z" });
	CHECK(stat(at("m/x/z"), &st) == 0 && S_ISDIR(st.st_mode));
}

static void test_opens(void)
{
	struct file_walk w;
	struct stat st;
	int fd;

	fd = file_open_path(at("t/rel/f"), &st, &w);
	CHECK(fd >= 0 && S_ISREG(st.st_mode));
	if (fd >= 0)
		close(fd);
	CHECK_INT(file_open_path(at("a/b"), &st, &w), -EISDIR);
	CHECK_INT(mkfifo(at("a/fifo"), 0600), 0);
	/* Refused before it is opened: no wait for a writer. */
	CHECK_INT(file_open_path(at("a/fifo"), &st, &w), -ENXIO);
	CHECK_INT(chmod(at("ww"), 0777), 0);
	CHECK_INT(file_open_path(at("ww/l/b/f"), &st, &w), -EPERM);
	CHECK(strstr(w.why, "not followed") != NULL);
	fd = file_open_dir(at("t/rel"), FILE_WALK_FOLLOW, &w);
	CHECK(same(fd, "a/b"));
	if (fd >= 0)
		close(fd);
	/* Not followed as the last component: -ELOOP, said by the caller. */
	CHECK_INT(file_open_dir(at("t/rel"), 0, &w), -ELOOP);
	CHECK_STR(w.why, "");
	CHECK_INT(file_open_dir(at("a/b/f"), 0, &w), -ENOTDIR);
}

/* Writes text as the whole of dir/rel. */
static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "w");

	CHECK(f != NULL && fputs(text, f) >= 0);
	CHECK(f != NULL && fclose(f) == 0);
}

/* The whole content of dir/rel, at most size - 1 bytes, into buf. */
static const char *content(const char *rel, char *buf, size_t size)
{
	FILE *f = fopen(at(rel), "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/* file_set_aside in dir/sa, its log into line. */
static int set_aside_logged(int dfd, const char *kept, char *line, size_t size)
{
	struct check_capture c;
	int rc;

	CHECK_INT(check_stderr_begin(&c), 0);
	rc = file_set_aside(dfd, at("sa"), "seen", NULL, "starting with an empty one", kept,
			    "damaged seen-set (%s)", "checksum mismatch");
	check_stderr_end(&c, line, size);
	return rc;
}

/* A damaged file goes to NAME.corrupt, over an older one; a move that
 * fails says why and leaves the file where it was. One line either way. */
static void test_set_aside(void)
{
	char line[1024], want[PATH_MAX + 256], buf[16];
	struct check_capture c;
	int dfd;

	CHECK_INT(mkdir(at("sa"), 0700), 0);
	dfd = open(at("sa"), O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	put("sa/seen", "bad");
	put("sa/seen.corrupt", "older");
	CHECK_INT(set_aside_logged(dfd, NULL, line, sizeof(line)), 0);
	snprintf(want, sizeof(want),
		 "digestd: %s: damaged seen-set (checksum mismatch); moved to %s; starting with "
		 "an empty one\n", at("sa/seen"), at("sa/seen.corrupt"));
	CHECK_STR(line, want);
	CHECK(access(at("sa/seen"), F_OK) < 0 && errno == ENOENT);
	CHECK_STR(content("sa/seen.corrupt", buf, sizeof(buf)), "bad");
	/* With its owner first, as a source's state file says it. */
	put("sa/seen", "bad");
	CHECK_INT(check_stderr_begin(&c), 0);
	CHECK_INT(file_set_aside(dfd, at("sa"), "seen", "source news", "starting afresh", NULL,
				 "damaged"), 0);
	check_stderr_end(&c, line, sizeof(line));
	snprintf(want, sizeof(want),
		 "digestd: source news: %s: damaged; moved to %s; starting afresh\n", at("sa/seen"),
		 at("sa/seen.corrupt"));
	CHECK_STR(line, want);
	/* A folder in the way: the rename fails (even for root), the file stays. */
	CHECK_INT(unlink(at("sa/seen.corrupt")), 0);
	CHECK_INT(mkdir(at("sa/seen.corrupt"), 0700), 0);
	mkfile("sa/seen.corrupt/x");
	mkfile("sa/seen");
	CHECK_INT(set_aside_logged(dfd, NULL, line, sizeof(line)), -EISDIR);
	snprintf(want, sizeof(want),
		 "digestd: %s: damaged seen-set (checksum mismatch), and cannot be moved aside "
		 "(%s); starting with an empty one\n", at("sa/seen"), strerror(EISDIR));
	CHECK_STR(line, want);
	CHECK(access(at("sa/seen"), F_OK) == 0);
	/* What follows a failed move, when the caller says it differs. */
	CHECK_INT(set_aside_logged(dfd, "start-up stops", line, sizeof(line)), -EISDIR);
	CHECK(strstr(line, "; start-up stops\n") != NULL);
	/* Nothing there: said all the same. */
	CHECK_INT(unlink(at("sa/seen")), 0);
	CHECK_INT(set_aside_logged(dfd, NULL, line, sizeof(line)), -ENOENT);
	CHECK(strstr(line, strerror(ENOENT)) != NULL);
	if (dfd >= 0)
		close(dfd);
}

/* Removes the tree under path (links not followed). */
static void remove_tree(const char *path)
{
	struct dirent *e;
	char sub[1024];
	DIR *d = opendir(path);

	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (unlink(sub) < 0)
			remove_tree(sub);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	char made[200];

	snprintf(made, sizeof made, "%s/test_file.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(made) || !realpath(made, dir)) {
		perror(made);
		return 1;
	}
	RUN(test_plain);
	RUN(test_walks);
	RUN(test_links_refused);
	RUN(test_link_bound);
	RUN(test_mkdir);
	RUN(test_opens);
	RUN(test_set_aside);
	remove_tree(dir);
	return CHECK_EXIT();
}
