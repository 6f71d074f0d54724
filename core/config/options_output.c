/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Options of core/output: alert formatting, the alert queues, deduplication
 * and the built-in sink sections. A sink section (stdout_output, file_output,
 * syslog_output, program_output, http_output) maps onto a sink plugin: its
 * "enabled" key says whether the sink runs and every other key of the
 * section is handed to the plugin as its JSON init_config (see
 * skr_config_section_json), so a key added here reaches the plugin as is.
 */
#include "config/config_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define OFF(f)  offsetof(struct skr_config, output.f)
#define SOFF(f) offsetof(struct skr_config, output.sinks.f)

static const char *const queue_policy_choices[] = { "drop", "block", "drop_oldest", NULL };
static const char *const fsync_choices[] = { "never", "flush", "always", NULL };
static const char *const syslog_transport_choices[] = { "local", "udp", "tcp", NULL };
static const char *const syslog_format_choices[] = { "auto", "rfc5424", "rfc3164", NULL };
/* syslog facility codes 0..23, in order */
static const char *const syslog_facility_choices[] = {
    "kern",    "user",         "mail",   "daemon",   "auth",   "syslog", "lpr",
    "news",    "uucp",         "cron",   "authpriv", "ftp",    "ntp",    "security",
    "console", "solaris-cron", "local0", "local1",   "local2", "local3", "local4",
    "local5",  "local6",       "local7", NULL,
};

/* ---- outputs_queue.sinks: per-sink queue settings ---------------------------------------- */

#define QOFF(f) offsetof(struct skr_sink_queue_cfg, f)

static const struct skr_opt sink_queue_keys[] = {
    { .name = "capacity", .type = SKR_OPT_UINT, .offset = QOFF(capacity) },
    { .name = "policy",
      .type = SKR_OPT_ENUM,
      .offset = QOFF(policy),
      .choices = queue_policy_choices },
    { .name = "block_timeout", .type = SKR_OPT_DURATION, .offset = QOFF(block_timeout_ms) },
};

static int set_sink_queues(struct skr_cfg_ctx *c,
                           const struct skr_opt *o,
                           const struct skr_cnode *n,
                           void *base,
                           struct skr_err *err)
{
    struct skr_config *cfg = base;
    struct skr_sink_queue_cfg *v;
    int rc;

    (void)o;
    cfg->output.sink_queues = NULL;
    cfg->output.num_sink_queues = 0;
    if (skr_cnode_is_null(n)) {
        return 0;
    }
    if (n->kind != SKR_CNODE_MAP) {
        return skr_cfg_errf(err, n, c->path,
                            "expected a map of sink names to queue settings ({http: {capacity: "
                            "1000, policy: drop_oldest}}), got a %s",
                            skr_cnode_kind_name(n));
    }
    v = skr_arena_calloc(&c->doc->arena, n->n ? n->n : 1, sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct skr_cnode *k = n->keys[i];
        const struct skr_cnode *e = n->vals[i];
        struct skr_sink_queue_cfg *q = &v[i];
        char path[256];

        q->sink = k->text;
        q->file = k->file;
        q->line = k->line;
        q->col = k->col;
        skr_cfg_fmt(path, sizeof(path), "%s.%s", c->path, k->text);
        if (skr_cnode_is_null(e)) {
            continue;
        }
        if (e->kind != SKR_CNODE_MAP) {
            return skr_cfg_errf(err, e, path,
                                "expected a map with capacity, policy or block_timeout, got a %s",
                                skr_cnode_kind_name(e));
        }
        for (size_t j = 0; j < e->n; j++) {
            const struct skr_opt *sub = NULL;
            char subpath[300];
            struct skr_cfg_ctx sc = { .doc = c->doc, .path = subpath };

            for (size_t s = 0; s < sizeof(sink_queue_keys) / sizeof(sink_queue_keys[0]); s++) {
                if (strcmp(e->keys[j]->text, sink_queue_keys[s].name) == 0) {
                    sub = &sink_queue_keys[s];
                }
            }
            if (sub == NULL) {
                return skr_cfg_errf(err, e->keys[j], path,
                                    "unknown key '%s': a sink's queue has capacity, policy and "
                                    "block_timeout",
                                    e->keys[j]->text);
            }
            skr_cfg_fmt(subpath, sizeof(subpath), "%s.%s", path, sub->name);
            if ((rc = skr_opt_apply(&sc, sub, e->vals[j], q, err)) < 0) {
                return rc;
            }
            q->has_capacity = q->has_capacity || sub->offset == QOFF(capacity);
            q->has_policy = q->has_policy || sub->offset == QOFF(policy);
            q->has_block_timeout = q->has_block_timeout || sub->offset == QOFF(block_timeout_ms);
        }
    }
    cfg->output.sink_queues = v;
    cfg->output.num_sink_queues = n->n;
    return 0;
}

#define COMPAT(n)                                                                        \
    {                                                                                    \
        .name = n, .flags = SKR_OPT_COMPAT, .desc = "Falco option, accepted and ignored" \
    }

static const struct skr_opt output_opts[] = {
    { .name = "json_output",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(json_output),
      .desc = "Alerts as one JSON object per line (Falco's shape) instead of text" },
    { .name = "json_include_output_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_output_property),
      .desc = "JSON alerts carry \"output\", the text line" },
    { .name = "json_include_message_property",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(json_include_message_property),
      .desc = "JSON alerts carry \"message\", the rule output without time and priority" },
    { .name = "json_include_output_fields_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_output_fields_property),
      .desc = "JSON alerts carry \"output_fields\", the typed values of the output's fields" },
    { .name = "json_include_tags_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_tags_property),
      .desc = "JSON alerts carry \"tags\", the rule's tags" },
    { .name = "time_format_iso_8601",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(time_format_iso_8601),
      .desc = "Text alerts start with the UTC ISO 8601 time instead of the local HH:MM:SS.ns" },
    { .name = "output_timeout",
      .type = SKR_OPT_UINT,
      .def = "2000",
      .offset = OFF(output_timeout_ms),
      .desc = "Milliseconds a sink may take to write a batch of alerts before the delay is "
              "logged (rate-limited); nothing is discarded for it" },

    /* ---- queues ---- */
    { .name = "outputs_queue.capacity",
      .type = SKR_OPT_UINT,
      .def = "16384",
      .offset = OFF(queue_capacity),
      .desc = "Alerts each sink's queue holds; 0 means Saker's largest bound (1048576), never "
              "an unbounded queue" },
    { .name = "outputs_queue.policy",
      .type = SKR_OPT_ENUM,
      .def = "drop",
      .offset = OFF(queue_policy),
      .choices = queue_policy_choices,
      .desc = "When a sink's queue is full: drop (the new alert is dropped for that sink and "
              "counted), drop_oldest (the oldest queued alert is dropped and counted) or block "
              "(the source waits for room, at most block_timeout)" },
    { .name = "outputs_queue.block_timeout",
      .type = SKR_OPT_DURATION,
      .def = "1s",
      .offset = OFF(queue_block_timeout_ms),
      .desc = "With policy block, the longest a source waits for room; then the alert is "
              "dropped for that sink (counted) and the sink counts as stalled, so later alerts "
              "do not wait again until it takes alerts" },
    { .name = "outputs_queue.drain_timeout",
      .type = SKR_OPT_DURATION,
      .def = "5s",
      .offset = OFF(queue_drain_timeout_ms),
      .desc = "At shutdown, how long the sinks may take to deliver what is queued; alerts "
              "still queued after it are counted as lost" },
    { .name = "outputs_queue.sinks",
      .type = SKR_OPT_CUSTOM,
      .def = "{}",
      .set = set_sink_queues,
      .desc = "Queue settings of single sinks, by sink name (stdout, file, syslog, program, "
              "http or a sink plugin's name): {http: {capacity: 1000, policy: drop_oldest, "
              "block_timeout: 100ms}}; unset keys come from outputs_queue" },

    /* ---- deduplication ---- */
    { .name = "outputs_dedup.window",
      .type = SKR_OPT_DURATION,
      .def = "0",
      .offset = OFF(dedup_window_ms),
      .desc = "Identical alerts (same rule, source and output) within this window after the "
              "first are not sent again but counted; when the window ends one summary alert "
              "says how many repeats there were. 0 turns deduplication off" },
    { .name = "outputs_dedup.max_keys",
      .type = SKR_OPT_UINT,
      .def = "4096",
      .offset = OFF(dedup_max_keys),
      .desc = "Distinct alerts tracked at once; when more arrive, the oldest window is closed "
              "early (with its summary)" },

    /* ---- stdout ---- */
    { .name = "stdout_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(stdout_enabled),
      .desc = "Write alerts to stdout (sink plugin out_stdout)" },

    /* ---- file ---- */
    { .name = "file_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(file_enabled),
      .desc = "Append alerts to a file (sink plugin out_file)" },
    { .name = "file_output.keep_alive",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(file_keep_alive),
      .desc = "Keep the file open between alerts (else open and close it for each batch); "
              "SIGUSR1 reopens it" },
    { .name = "file_output.filename",
      .type = SKR_OPT_STRING,
      .def = "./events.txt",
      .offset = OFF(file_filename),
      .desc = "The file alerts are appended to" },
    { .name = "file_output.fsync",
      .type = SKR_OPT_ENUM,
      .def = "never",
      .offset = SOFF(file_fsync),
      .choices = fsync_choices,
      .desc = "When alerts are forced to disk: never (the kernel decides), flush (whenever the "
              "sink's queue runs empty, and at close) or always (after every batch written)" },

    /* ---- syslog ---- */
    { .name = "syslog_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(syslog_enabled),
      .desc = "Send alerts to syslog (sink plugin out_syslog), severity = alert priority" },
    { .name = "syslog_output.transport",
      .type = SKR_OPT_ENUM,
      .def = "local",
      .offset = SOFF(syslog_transport),
      .choices = syslog_transport_choices,
      .desc = "local (the socket of the local syslog daemon), udp or tcp (a remote server at "
              "host:port)" },
    { .name = "syslog_output.socket",
      .type = SKR_OPT_STRING,
      .def = "/dev/log",
      .offset = SOFF(syslog_socket),
      .desc = "The local syslog socket (transport local)" },
    { .name = "syslog_output.host",
      .type = SKR_OPT_STRING,
      .def = "localhost",
      .offset = SOFF(syslog_host),
      .desc = "The syslog server (transport udp or tcp): a name or an address" },
    { .name = "syslog_output.port",
      .type = SKR_OPT_UINT,
      .def = "514",
      .offset = SOFF(syslog_port),
      .desc = "The syslog server's port (transport udp or tcp)" },
    { .name = "syslog_output.facility",
      .type = SKR_OPT_ENUM,
      .def = "user",
      .offset = SOFF(syslog_facility),
      .choices = syslog_facility_choices,
      .desc = "Syslog facility of the messages: kern, user, mail, daemon, auth, syslog, lpr, "
              "news, uucp, cron, authpriv, ftp, ntp, security, console, solaris-cron, "
              "local0 .. local7" },
    { .name = "syslog_output.ident",
      .type = SKR_OPT_STRING,
      .def = "saker",
      .offset = SOFF(syslog_ident),
      .desc = "The program name (APP-NAME) in each message" },
    { .name = "syslog_output.format",
      .type = SKR_OPT_ENUM,
      .def = "auto",
      .offset = SOFF(syslog_format),
      .choices = syslog_format_choices,
      .desc = "Message format: rfc5424, rfc3164 (the BSD format the C library's syslog() "
              "writes), or auto (rfc3164 to the local socket, rfc5424 over the network)" },
    { .name = "syslog_output.timeout",
      .type = SKR_OPT_DURATION,
      .def = "2s",
      .offset = SOFF(syslog_timeout_ms),
      .desc = "Longest wait to connect or send one message (tcp), after which the message "
              "is retried once on a new connection, then counted failed" },

    /* ---- program ---- */
    { .name = "program_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(program_enabled),
      .desc = "Pipe alerts to a program's stdin (sink plugin out_program)" },
    { .name = "program_output.keep_alive",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(program_keep_alive),
      .desc = "Keep one program running and write every alert to it, restarting it when it "
              "exits (SIGUSR1 restarts it too); else run the program once per alert" },
    { .name = "program_output.program",
      .type = SKR_OPT_STRING,
      .def = "\"\"",
      .offset = SOFF(program_program),
      .desc = "The command, run with /bin/sh -c; each alert is one line on its stdin" },
    { .name = "program_output.max_retries",
      .type = SKR_OPT_UINT,
      .def = "3",
      .offset = SOFF(program_max_retries),
      .desc = "With keep_alive, how many times an alert is written again to a restarted "
              "program after the running one went away, before it counts as failed" },
    { .name = "program_output.timeout",
      .type = SKR_OPT_DURATION,
      .def = "10s",
      .offset = SOFF(program_timeout_ms),
      .desc = "Longest a program may take to read an alert (and, without keep_alive, to exit); "
              "then it is stopped and the alert counts as failed" },

    /* ---- http ---- */
    { .name = "http_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_enabled),
      .desc = "POST alerts to a URL (sink plugin out_http)" },
    { .name = "http_output.url",
      .type = SKR_OPT_STRING,
      .def = "\"\"",
      .offset = SOFF(http_url),
      .desc = "Where alerts are POSTed (http:// or https://)" },
    { .name = "http_output.user_agent",
      .type = SKR_OPT_STRING,
      .def = "saker",
      .offset = SOFF(http_user_agent),
      .desc = "The User-Agent header" },
    { .name = "http_output.insecure",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_insecure),
      .desc = "Do not verify the server's certificate and host name" },
    { .name = "http_output.ca_cert",
      .type = SKR_OPT_STRING,
      .def = "\"\"",
      .offset = SOFF(http_ca_cert),
      .desc = "CA certificate file the server's certificate is checked against" },
    { .name = "http_output.ca_bundle",
      .type = SKR_OPT_STRING,
      .def = "\"\"",
      .offset = SOFF(http_ca_bundle),
      .desc = "CA bundle file (used when ca_cert is empty)" },
    { .name = "http_output.ca_path",
      .type = SKR_OPT_STRING,
      .def = "/etc/ssl/certs",
      .offset = SOFF(http_ca_path),
      .desc = "CA directory (used when ca_cert and ca_bundle are empty)" },
    { .name = "http_output.mtls",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_mtls),
      .desc = "Authenticate with a client certificate (client_cert, client_key)" },
    { .name = "http_output.client_cert",
      .type = SKR_OPT_STRING,
      .def = "/etc/ssl/certs/client.crt",
      .offset = SOFF(http_client_cert),
      .desc = "Client certificate (PEM) for mtls" },
    { .name = "http_output.client_key",
      .type = SKR_OPT_STRING,
      .def = "/etc/ssl/certs/client.key",
      .offset = SOFF(http_client_key),
      .desc = "Client private key (PEM) for mtls" },
    { .name = "http_output.echo",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_echo),
      .desc = "Print the server's responses to stdout" },
    { .name = "http_output.compress_uploads",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_compress_uploads),
      .desc = "Send bodies gzip-compressed (Content-Encoding: gzip)" },
    { .name = "http_output.keep_alive",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = SOFF(http_keep_alive),
      .desc = "TCP keep-alive probes on the connection (the connection is reused either way)" },
    { .name = "http_output.max_consecutive_timeouts",
      .type = SKR_OPT_UINT,
      .def = "5",
      .offset = SOFF(http_max_consecutive_timeouts),
      .desc = "How many timed-out attempts in a row one alert may have (no more than "
              "max_retries) before it counts as failed" },
    { .name = "http_output.headers",
      .type = SKR_OPT_STRLIST,
      .def = "[]",
      .offset = SOFF(http_headers),
      .desc = "Extra request headers, each \"Name: value\"" },
    { .name = "http_output.timeout",
      .type = SKR_OPT_DURATION,
      .def = "10s",
      .offset = SOFF(http_timeout_ms),
      .desc = "Longest one request may take, connection included" },
    { .name = "http_output.connect_timeout",
      .type = SKR_OPT_DURATION,
      .def = "5s",
      .offset = SOFF(http_connect_timeout_ms),
      .desc = "Longest the connection may take to establish" },
    { .name = "http_output.max_retries",
      .type = SKR_OPT_UINT,
      .def = "3",
      .offset = SOFF(http_max_retries),
      .desc = "Retries of one request after a 5xx or 429 answer, a connection error or a "
              "timeout; then its alerts count as failed (and are logged with rule and time)" },
    { .name = "http_output.retry_backoff",
      .type = SKR_OPT_DURATION,
      .def = "100ms",
      .offset = SOFF(http_retry_backoff_ms),
      .desc = "Wait before the first retry; it doubles for each further retry" },
    { .name = "http_output.retry_backoff_max",
      .type = SKR_OPT_DURATION,
      .def = "5s",
      .offset = SOFF(http_retry_backoff_max_ms),
      .desc = "Longest wait between two retries" },
    { .name = "http_output.batch_size",
      .type = SKR_OPT_UINT,
      .def = "1",
      .offset = SOFF(http_batch_size),
      .desc = "Alerts per request (1 to 256): 1 posts each alert alone (Falco's way); more "
              "posts what is queued together, as a JSON array (json_output) or as lines" },

    COMPAT("buffered_outputs"),
    COMPAT("buffer_format_base64"),
    COMPAT("grpc"),
    COMPAT("grpc_output"),
};

const struct skr_opt_table skr_output_opt_table = {
    .component = "output",
    .opts = output_opts,
    .num_opts = sizeof(output_opts) / sizeof(output_opts[0]),
};
