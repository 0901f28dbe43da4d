/* SPDX-License-Identifier: MIT */
/* The state folder: made, opened once and checked (owner, mode), locked
 * against a second instance; its subfolders opened through it without
 * following links. Each refusal is one log line naming the path and why. */
#ifndef DIGESTD_STATEDIR_H
#define DIGESTD_STATEDIR_H

/* Makes dir and its missing parents (mode 0700), opens dir (a symbolic link
 * on the way is followed when only root or digestd's user could have made
 * it, file_walk: systemd's DynamicUser StateDirectory is one) and checks the
 * open folder: owned by the effective uid and not writable by
 * group or others, else refused (-EPERM). Everything inside is then reached
 * through the returned descriptor. Returns it, or a negative errno after one
 * log line naming dir. Blocks on the disk. */
int statedir_open(const char *dir);

/* statedir_open's checks without making anything (check-config): the
 * descriptor of the checked folder, -ENOENT (unsaid) when dir does not exist
 * yet, or a negative errno after the line statedir_open would log. */
int statedir_check(const char *dir);

/* Opens the subfolder sub of the state folder dirfd (dir names it in
 * messages), making it (mode 0700) if missing. A symbolic link is refused
 * (-ELOOP), as is a folder of another owner or writable by group or others
 * (-EPERM). A folder made here is fsynced into dirfd first. Returns the
 * descriptor, or a negative errno after one log line naming dir/sub. Blocks
 * on the disk. */
int statedir_sub(int dirfd, const char *dir, const char *sub);

/* statedir_sub's checks without making sub: -ENOENT (unsaid) when it is
 * missing. */
int statedir_sub_check(int dirfd, const char *dir, const char *sub);

/* Takes the exclusive lock of the state folder: flock on dirfd/lock (made,
 * mode 0600, if missing; never through a link), held until the returned
 * descriptor is closed (or the process ends), and writes our pid into it.
 * Returns the descriptor; -EBUSY when another process holds it, after one
 * log line naming the state folder and the holder's pid; another negative
 * errno after a log line. Never blocks waiting for the lock. */
int statedir_lock(int dirfd, const char *dir);

/* The pid a lock file names ("PID\n", written by its last holder and left
 * there when it ended), or 0 when it cannot be read. fd is the lock file,
 * just opened: the read starts at its beginning. */
long statedir_holder_pid(int fd);

#endif
