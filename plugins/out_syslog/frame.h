/* SPDX-License-Identifier: Apache-2.0 */
/* Syslog messages: RFC 5424 and RFC 3164 formatting, RFC 6587 octet-counting framing. */
#ifndef OUT_SYSLOG_FRAME_H
#define OUT_SYSLOG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum syslog_format {
    SYSLOG_RFC5424,
    SYSLOG_RFC3164,
};

/* A growable byte buffer owned by the plugin state; reused for every message. */
struct msgbuf {
    char *p;
    size_t len;
    size_t cap;
    bool oom; /* an append did not fit: the message is incomplete */
};

void msgbuf_reset(struct msgbuf *b);
void msgbuf_fini(struct msgbuf *b);

/* What one message says. Strings are borrowed for the call. */
struct syslog_msg {
    int facility; /* 0..23 */
    int severity; /* 0..7, the alert's priority */
    uint64_t ts;  /* ns since the epoch */
    const char *hostname;
    const char *app;   /* APP-NAME / TAG */
    const char *msgid; /* RFC 5424 MSGID ("-" when empty) */
    int pid;
    const char *text; /* the message body */
    size_t text_len;
    bool with_host; /* RFC 3164: include the hostname (network), not to the local socket */
};

/*
 * Appends one message in format f to b. Header fields are cut to their RFC
 * lengths and non-printable or space characters in them become '_'; the
 * body is sent as is. Returns the message's length, or 0 when out of memory.
 */
size_t syslog_format_msg(struct msgbuf *b, enum syslog_format f, const struct syslog_msg *m);

/*
 * The RFC 6587 octet-counting prefix ("LEN ") of a message of n bytes, into
 * buf. Returns its length, or 0 when it does not fit.
 */
size_t syslog_octet_prefix(char *buf, size_t size, size_t n);

#endif /* OUT_SYSLOG_FRAME_H */
