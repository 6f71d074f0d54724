/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test host for the container plugin: an in-process "threads" table
 * (key int64 tid) with the fields the syscall plugin offers (tid, pid, ptid,
 * vpid, vtid, exe, comm, pidns_init_start_ts, and the cgroups and args
 * subtables), dynamic fields added by plugins, and the reader, writer and
 * fields vtables of the plugin API. It counts entries handed out and given
 * back so tests can check the plugin releases what it takes, and records
 * async events and log lines.
 */
#ifndef CTR_MOCK_HOST_H
#define CTR_MOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

struct mock_host;
struct mock_thread;

struct mock_host *mock_host_new(void);
void mock_host_free(struct mock_host *h);

/* Host knobs for error paths. */
void mock_host_without_tables(struct mock_host *h);  /* init input's tables = NULL */
void mock_host_without_threads(struct mock_host *h); /* get_table("threads") = NULL */

/* The init input for a config (NULL: ""). Valid while h lives. */
const ss_plugin_init_input *mock_host_init_input(struct mock_host *h, const char *config);
const ss_plugin_event_parse_input *mock_host_parse_input(struct mock_host *h);
ss_plugin_field_extract_input mock_host_extract_input(struct mock_host *h,
                                                      ss_plugin_extract_field *fields,
                                                      uint32_t n);
const ss_plugin_capture_listen_input *mock_host_capture_input(struct mock_host *h);

struct mock_thread *mock_thread_add(struct mock_host *h,
                                    int64_t tid,
                                    int64_t pid,
                                    int64_t ptid,
                                    int64_t vpid,
                                    int64_t vtid,
                                    const char *exe);
struct mock_thread *mock_thread_get(struct mock_host *h, int64_t tid);
void mock_thread_remove(struct mock_host *h, int64_t tid);
void mock_thread_add_cgroup(struct mock_thread *t, const char *subsys, const char *path);
void mock_thread_clear_cgroups(struct mock_thread *t);
void mock_thread_add_arg(struct mock_thread *t, const char *arg);
void mock_thread_set_start_ts(struct mock_thread *t, uint64_t ts);
size_t mock_thread_count(struct mock_host *h);

/* A dynamic field's value on a thread: NULL / false when absent. */
const char *mock_thread_dyn_str(struct mock_host *h, struct mock_thread *t, const char *name);
bool mock_thread_dyn_u16(struct mock_host *h,
                         struct mock_thread *t,
                         const char *name,
                         uint16_t *out);

/* Entries handed out by get_table_entry/add_table_entry and not released yet. */
long mock_host_outstanding(struct mock_host *h);

/* Async events the plugin sent (copies, in order). */
size_t mock_host_async_count(struct mock_host *h);
const ss_plugin_event *mock_host_async_event(struct mock_host *h, size_t i);
/* The name and JSON of async event i (pointers into the event). */
bool mock_host_async_decode(struct mock_host *h, size_t i, const char **name, const char **json);
ss_plugin_async_event_handler_t mock_host_async_handler(void);
/* Makes the handler refuse events (returns FAILURE with a message). */
void mock_host_async_refuse(struct mock_host *h, bool refuse);

/* Log lines received (severity and text), newest last. */
size_t mock_host_log_count(struct mock_host *h);
const char *mock_host_log_line(struct mock_host *h, size_t i, ss_plugin_log_severity *sev);
bool mock_host_log_contains(struct mock_host *h, const char *needle);

/* Builds events into buf (cap bytes); returns the event or NULL when it does not fit. */
ss_plugin_event *mock_evt_res(void *buf,
                              size_t cap,
                              uint16_t type,
                              uint64_t ts,
                              uint64_t tid,
                              int64_t res);
ss_plugin_event *mock_evt_async(void *buf, size_t cap, const char *name, const char *json);
ss_plugin_event *mock_evt_procexit(void *buf, size_t cap, uint64_t ts, uint64_t tid);

#endif /* CTR_MOCK_HOST_H */
