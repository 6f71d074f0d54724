/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User and group names for uids/gids: the host's (from /etc/passwd,
 * /etc/group, then NSS) and each container's (from /proc/<pid>/root/etc/...,
 * read once per container). Results, misses included, are cached.
 */
#ifndef SKR_SYSCALL_USERS_H
#define SKR_SYSCALL_USERS_H

#include <stdbool.h>
#include <stdint.h>

struct skr_users;

struct skr_user {
    const char *name;
    const char *home;
    const char *shell;
};

/* live: /proc may be read (false when replaying a capture). */
struct skr_users *skr_users_new(bool live);
void skr_users_free(struct skr_users *u);

/*
 * The user with this uid for a thread of container cid ("" or NULL: the
 * host) whose process pid can be used to reach the container's files.
 * NULL when unknown. Strings are valid while u lives.
 */
const struct skr_user *skr_users_user(struct skr_users *u,
                                      uint32_t uid,
                                      const char *cid,
                                      int64_t pid);
/* The group name of gid, or NULL. */
const char *skr_users_group(struct skr_users *u, uint32_t gid, const char *cid, int64_t pid);

#endif /* SKR_SYSCALL_USERS_H */
