/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin through its ABI, against the in-process threads table of
 * tests/mock_host.c: container ids from cgroups on the events that set them,
 * extraction for host / unknown / known containers, container events (async
 * and legacy), removal, the static and lxc engines, and the error paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "fields.h"
#include "plugin.h"
#include "tests/mock_host.h"

ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *s);
const char *plugin_get_last_error(ss_plugin_t *s);
const char *plugin_get_fields(void);
ss_plugin_rc plugin_parse_event(ss_plugin_t *s,
                                const ss_plugin_event_input *ev,
                                const ss_plugin_event_parse_input *in);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                   const ss_plugin_event_input *evt,
                                   const ss_plugin_field_extract_input *in);
ss_plugin_rc plugin_capture_open(ss_plugin_t *s, const ss_plugin_capture_listen_input *in);
ss_plugin_rc plugin_set_async_event_handler(ss_plugin_t *s,
                                            ss_plugin_owner_t *owner,
                                            const ss_plugin_async_event_handler_t h);
ss_plugin_rc plugin_dump_state(ss_plugin_t *s,
                               ss_plugin_owner_t *owner,
                               const ss_plugin_async_event_handler_t handler);
ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics);
uint16_t *plugin_get_parse_event_types(uint32_t *numtypes, ss_plugin_t *s);

#define DOCKER_FULL "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define DOCKER_CG   "/system.slice/docker-" DOCKER_FULL ".scope"
#define NO_RUNTIME                                                                            \
    "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"/nonexistent/docker.sock\"]}," \
    "\"podman\":{\"enabled\":false,\"sockets\":[]}}}"

struct fx {
    struct mock_host *h;
    ss_plugin_t *p;
    uint64_t evtnum;
    uint8_t buf[8192];
};

static struct fx *fx_new(const char *config)
{
    struct fx *f = calloc(1, sizeof(*f));
    ss_plugin_rc rc;

    assert_non_null(f);
    f->h = mock_host_new();
    assert_non_null(f->h);
    f->p = plugin_init(mock_host_init_input(f->h, config), &rc);
    assert_non_null(f->p);
    if (rc != SS_PLUGIN_SUCCESS) {
        fail_msg("plugin_init: %s", plugin_get_last_error(f->p));
    }
    return f;
}

static void fx_free(struct fx *f)
{
    plugin_destroy(f->p);
    assert_int_equal(mock_host_outstanding(f->h), 0);
    mock_host_free(f->h);
    free(f);
}

static void parse(struct fx *f, ss_plugin_event *evt)
{
    ss_plugin_event_input in = { .evt = evt, .evtnum = ++f->evtnum, .evtsrc = "syscall" };

    assert_non_null(evt);
    assert_int_equal(plugin_parse_event(f->p, &in, mock_host_parse_input(f->h)), SS_PLUGIN_SUCCESS);
}

static void parse_res(struct fx *f, uint16_t type, uint64_t tid, int64_t res)
{
    parse(f, mock_evt_res(f->buf, sizeof(f->buf), type, 1000, tid, res));
}

static int field_id(const char *name)
{
    for (int i = 0; i < F_COUNT; i++) {
        if (strcmp(ctr_fields[i].name, name) == 0) {
            return i;
        }
    }
    fail_msg("no field %s", name);
    return -1;
}

/* Extracts one field for an event of thread tid (a fresh event each call unless same_evt). */
static ss_plugin_extract_field extract_on(struct fx *f,
                                          ss_plugin_event *evt,
                                          uint64_t evtnum,
                                          const char *name,
                                          const char *key,
                                          int64_t index)
{
    ss_plugin_extract_field fl;
    ss_plugin_event_input in = { .evt = evt, .evtnum = evtnum, .evtsrc = "syscall" };
    ss_plugin_field_extract_input ein;
    int id = field_id(name);

    memset(&fl, 0, sizeof(fl));
    fl.field_id = (uint32_t)id;
    fl.field = name;
    fl.ftype = ctr_fields[id].type;
    fl.arg_key = key;
    fl.arg_index = index >= 0 ? (uint64_t)index : 0;
    fl.arg_present = key != NULL || index >= 0;
    ein = mock_host_extract_input(f->h, &fl, 1);
    assert_int_equal(plugin_extract_fields(f->p, &in, &ein), SS_PLUGIN_SUCCESS);
    return fl;
}

static ss_plugin_extract_field extract(struct fx *f,
                                       uint64_t tid,
                                       const char *name,
                                       const char *key,
                                       int64_t index)
{
    ss_plugin_event *evt = mock_evt_res(f->buf, sizeof(f->buf), 1, 5000, tid, 0);

    return extract_on(f, evt, ++f->evtnum, name, key, index);
}

/* The string value, or NULL for no value. */
static const char *xs(struct fx *f, uint64_t tid, const char *name)
{
    ss_plugin_extract_field fl = extract(f, tid, name, NULL, -1);

    return fl.res_len == 0 ? NULL : fl.res.str[0];
}

static const char *xs_arg(struct fx *f,
                          uint64_t tid,
                          const char *name,
                          const char *key,
                          int64_t index)
{
    ss_plugin_extract_field fl = extract(f, tid, name, key, index);

    return fl.res_len == 0 ? NULL : fl.res.str[0];
}

static struct mock_thread *docker_thread(struct fx *f, int64_t tid)
{
    struct mock_thread *t = mock_thread_add(f->h, tid, tid, 1, 7, 7, "/bin/sh");

    mock_thread_add_cgroup(t, "cpuset", "/");
    mock_thread_add_cgroup(t, "cpu", DOCKER_CG);
    mock_thread_set_start_ts(t, 123456789);
    return t;
}

static const char *container_json =
        "{\"container\":{\"id\":\"3ad7b26ded6d\",\"full_id\":\"" DOCKER_FULL "\","
        "\"type\":0,\"name\":\"web\",\"image\":\"docker.io/library/nginx:1.25\","
        "\"imageid\":\"6f7e2741b66b\",\"imagerepo\":\"docker.io/library/nginx\","
        "\"imagetag\":\"1.25\",\"imagedigest\":\"sha256:abc\",\"privileged\":true,"
        "\"host_network\":true,\"ip\":\"172.17.0.2\","
        "\"labels\":{\"io.kubernetes.pod.name\":\"web-0\",\"io.kubernetes.pod.namespace\":"
        "\"prod\",\"io.kubernetes.pod.uid\":\"u-1\",\"app\":\"web\",\"tier\":\"\"},"
        "\"Mounts\":[{\"Source\":\"/srv/data\",\"Destination\":\"/data\",\"Mode\":\"rw\","
        "\"RW\":true,\"Propagation\":\"rprivate\"},{\"Source\":\"/etc/conf\",\"Destination\":"
        "\"/conf\",\"Mode\":\"ro\",\"RW\":false,\"Propagation\":\"\"}],"
        "\"pod_sandbox_id\":\"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a\"}}";

static void fields_json_lists_the_reference_field_set(void **state)
{
    cJSON *arr = cJSON_Parse(plugin_get_fields());
    const cJSON *it;
    int i = 0;

    assert_non_null(arr);
    assert_int_equal(cJSON_GetArraySize(arr), F_COUNT);
    assert_int_equal(F_COUNT, 61);
    cJSON_ArrayForEach(it, arr) {
        const cJSON *name = cJSON_GetObjectItem(it, "name");
        assert_string_equal(name->valuestring, ctr_fields[i].name);
        assert_non_null(cJSON_GetObjectItem(it, "desc"));
        i++;
    }
    it = cJSON_GetArrayItem(arr, F_CONTAINER_MOUNT_DEST);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "arg"), "isRequired")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(it, "arg"), "isIndex")));
    it = cJSON_GetArrayItem(arr, F_CONTAINER_ID);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "addOutput")));
    assert_string_equal(
            cJSON_GetObjectItem(cJSON_GetArrayItem(arr, F_CONTAINER_START_TS), "type")->valuestring,
            "abstime");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, F_CONTAINER_PRIVILEGED), "type")
                                ->valuestring,
                        "bool");
    cJSON_Delete(arr);
}

static void init_fails_clearly_without_tables(void **state)
{
    struct mock_host *h = mock_host_new();
    ss_plugin_rc rc;
    ss_plugin_t *p;

    mock_host_without_tables(h);
    p = plugin_init(mock_host_init_input(h, NULL), &rc);
    assert_int_equal(rc, SS_PLUGIN_FAILURE);
    assert_non_null(strstr(plugin_get_last_error(p), "threads"));
    plugin_destroy(p);
    mock_host_free(h);

    h = mock_host_new();
    mock_host_without_threads(h);
    p = plugin_init(mock_host_init_input(h, NULL), &rc);
    assert_int_equal(rc, SS_PLUGIN_FAILURE);
    assert_non_null(strstr(plugin_get_last_error(p), "load the syscall plugin"));
    plugin_destroy(p);
    mock_host_free(h);

    h = mock_host_new();
    p = plugin_init(mock_host_init_input(h, "{\"engines\":{\"dockr\":{}}}"), &rc);
    assert_int_equal(rc, SS_PLUGIN_FAILURE);
    assert_non_null(strstr(plugin_get_last_error(p), "engines.dockr"));
    plugin_destroy(p);
    mock_host_free(h);
}

static void parse_types_cover_process_and_container_events(void **state)
{
    uint32_t n = 0;
    uint16_t *types = plugin_get_parse_event_types(&n, NULL);
    const uint16_t want[] = { 402, 228, 272, 324, 223, 225, 227, 335,
                              231, 283, 289, 293, 331, 267, 186 };

    assert_int_equal(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(types[i], want[i]);
    }
}

static void execve_assigns_container_id_from_cgroups(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *t = docker_thread(f, 100);
    struct mock_thread *host = mock_thread_add(f->h, 1, 1, 0, 1, 1, "/sbin/init");

    mock_thread_add_cgroup(host, "cpu", "/init.scope");
    parse_res(f, EV_EXECVE_19_X, 100, 0);
    assert_string_equal(mock_thread_dyn_str(f->h, t, "container_id"), "3ad7b26ded6d");
    /* the first parse also assigned the pre-existing host thread */
    assert_string_equal(mock_thread_dyn_str(f->h, host, "container_id"), "");
    assert_string_equal(xs(f, 100, "container.id"), "3ad7b26ded6d");
    /* metadata unknown: only id and start_ts/duration */
    assert_null(xs(f, 100, "container.name"));
    assert_null(xs(f, 100, "container.image.repository"));
    assert_int_equal(extract(f, 100, "container.start_ts", NULL, -1).res.u64[0], 123456789);
    assert_int_equal(extract(f, 100, "container.duration", NULL, -1).res.u64[0],
                     5000 - 123456789ull);
    assert_int_equal(extract(f, 100, "container.privileged", NULL, -1).res_len, 0);
    fx_free(f);
}

static void failed_calls_change_nothing(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *t = docker_thread(f, 100);

    assert_int_equal(plugin_capture_open(f->p, mock_host_capture_input(f->h)), SS_PLUGIN_SUCCESS);
    assert_string_equal(mock_thread_dyn_str(f->h, t, "container_id"), "3ad7b26ded6d");
    mock_thread_clear_cgroups(t);
    mock_thread_add_cgroup(t, "cpu", "/user.slice");
    parse_res(f, EV_EXECVE_19_X, 100, -2); /* ENOENT: not parsed */
    assert_string_equal(mock_thread_dyn_str(f->h, t, "container_id"), "3ad7b26ded6d");
    parse_res(f, EV_CHROOT_X, 100, 0);
    assert_string_equal(mock_thread_dyn_str(f->h, t, "container_id"), "");
    assert_string_equal(xs(f, 100, "container.id"), "host");
    fx_free(f);
}

static void clone_parent_side_assigns_the_child(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *parent = docker_thread(f, 200);
    struct mock_thread *child = docker_thread(f, 201);

    assert_int_equal(plugin_capture_open(f->p, mock_host_capture_input(f->h)), SS_PLUGIN_SUCCESS);
    mock_thread_clear_cgroups(child);
    mock_thread_add_cgroup(child, "cpu", "/kubepods/besteffort/pod1/crio-" DOCKER_FULL);
    parse_res(f, EV_CLONE_20_X, 200, 201);
    assert_string_equal(mock_thread_dyn_str(f->h, parent, "container_id"), "3ad7b26ded6d");
    assert_string_equal(mock_thread_dyn_str(f->h, child, "container_id"), "3ad7b26ded6d");
    /* a clone naming a thread the table does not have is fine */
    parse_res(f, EV_CLONE3_X, 200, 999);
    fx_free(f);
}

static void host_threads_read_as_host(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *t = mock_thread_add(f->h, 5, 5, 1, 5, 5, "/usr/bin/bash");

    mock_thread_add_cgroup(t, "cpu", "/user.slice/user-1000.slice/session-2.scope");
    parse_res(f, EV_EXECVE_19_X, 5, 0);
    assert_string_equal(xs(f, 5, "container.id"), "host");
    assert_string_equal(xs(f, 5, "container.full_id"), "host");
    assert_string_equal(xs(f, 5, "container.name"), "host");
    assert_string_equal(xs(f, 5, "container.type"), "host");
    assert_string_equal(xs(f, 5, "container.image"), "");
    assert_string_equal(xs(f, 5, "container.image.repository"), "");
    assert_int_equal(extract(f, 5, "container.privileged", NULL, -1).res.boolean[0], 0);
    assert_null(xs(f, 5, "k8s.ns.name"));
    /* a thread the table does not know: no value at all */
    assert_null(xs(f, 4242, "container.id"));
    fx_free(f);
}

static void async_container_event_fills_metadata(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    ss_plugin_event *evt;
    ss_plugin_extract_field fl;
    uint32_t nm = 0;
    ss_plugin_metric *m;

    docker_thread(f, 100);
    parse_res(f, EV_EXECVE_19_X, 100, 0);
    evt = mock_evt_async(f->buf, sizeof(f->buf), "container", container_json);
    parse(f, evt);
    /* on the container event itself, its own info */
    fl = extract_on(f, evt, f->evtnum, "container.name", NULL, -1);
    assert_string_equal(fl.res.str[0], "web");
    assert_string_equal(xs(f, 100, "container.name"), "web");
    assert_string_equal(xs(f, 100, "container.full_id"), DOCKER_FULL);
    assert_string_equal(xs(f, 100, "container.type"), "docker");
    assert_string_equal(xs(f, 100, "container.image"), "docker.io/library/nginx:1.25");
    assert_string_equal(xs(f, 100, "container.image.repository"), "docker.io/library/nginx");
    assert_string_equal(xs(f, 100, "container.image.tag"), "1.25");
    assert_string_equal(xs(f, 100, "container.image.digest"), "sha256:abc");
    assert_string_equal(xs(f, 100, "container.image.id"), "6f7e2741b66b");
    assert_int_equal(extract(f, 100, "container.privileged", NULL, -1).res.boolean[0], 1);
    assert_int_equal(extract(f, 100, "container.host_network", NULL, -1).res.boolean[0], 1);
    assert_int_equal(extract(f, 100, "container.host_pid", NULL, -1).res.boolean[0], 0);
    assert_string_equal(xs(f, 100, "container.ip"), "172.17.0.2");
    assert_string_equal(xs(f, 100, "k8s.pod.name"), "web-0");
    assert_string_equal(xs(f, 100, "k8s.ns.name"), "prod");
    assert_string_equal(xs(f, 100, "k8s.pod.uid"), "u-1");
    assert_string_equal(xs(f, 100, "k8s.pod.id"), "u-1");
    assert_string_equal(xs(f, 100, "k8s.pod.sandbox_id"), "63060edc2d3a");
    assert_string_equal(xs(f, 100, "container.labels"), "app:web, tier");
    assert_string_equal(xs_arg(f, 100, "container.label", "app", -1), "web");
    assert_null(xs_arg(f, 100, "container.label", "nope", -1));
    assert_string_equal(xs(f, 100, "container.mounts"),
                        "/srv/data:/data:rw:true:rprivate,/etc/conf:/conf:ro:false:");
    assert_string_equal(xs_arg(f, 100, "container.mount", NULL, 1), "/etc/conf:/conf:ro:false:");
    assert_null(xs_arg(f, 100, "container.mount", NULL, 2));
    assert_string_equal(xs_arg(f, 100, "container.mount.dest", "/srv/data", -1), "/data");
    /* the key is a regular expression searched in the source ([quirk] kept) */
    assert_string_equal(xs_arg(f, 100, "container.mount.dest", "etc/c.nf", -1), "/conf");
    assert_string_equal(xs_arg(f, 100, "container.mount.source", "^/conf$", -1), "/etc/conf");
    assert_string_equal(xs_arg(f, 100, "container.mount.rdwr", NULL, 0), "true");
    assert_string_equal(xs_arg(f, 100, "container.mount.mode", "/etc", -1), "ro");
    assert_string_equal(xs_arg(f, 100, "container.mount.propagation", "/srv", -1), "rprivate");
    assert_null(xs_arg(f, 100, "container.mount.dest", "([", -1));
    /* deprecated fields never have a value */
    assert_null(xs(f, 100, "container.healthcheck"));
    assert_null(xs(f, 100, "k8s.rc.name"));
    assert_int_equal(extract(f, 100, "proc.is_container_healthcheck", NULL, -1).res_len, 0);
    m = plugin_get_metrics(f->p, &nm);
    assert_int_equal(nm, M_COUNT);
    assert_string_equal(m[M_N_CONTAINERS].name, "n_containers");
    assert_int_equal(m[M_N_CONTAINERS].value.u64, 1);
    /* removal: gone from the map, yet still described on its own event */
    evt = mock_evt_async(f->buf, sizeof(f->buf), "container_removed", container_json);
    parse(f, evt);
    fl = extract_on(f, evt, f->evtnum, "container.image.tag", NULL, -1);
    assert_string_equal(fl.res.str[0], "1.25");
    assert_null(xs(f, 100, "container.name"));
    assert_string_equal(xs(f, 100, "container.id"), "3ad7b26ded6d");
    m = plugin_get_metrics(f->p, &nm);
    assert_int_equal(m[M_N_CONTAINERS].value.u64, 0);
    fx_free(f);
}

static void bad_container_events_are_counted_not_fatal(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    uint32_t nm = 0;

    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", "{not json"));
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", "{\"container\":{}}"));
    /* another plugin's async event is none of our business */
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "k8s_meta", "{}"));
    assert_int_equal(plugin_get_metrics(f->p, &nm)[M_N_BAD_EVENTS].value.u64, 2);
    fx_free(f);
}

static void legacy_container_events_are_understood(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    const char *id = "abcdef012345";
    uint32_t type = 0;
    const void *params[4] = { id, &type, "legacy", "busybox:1" };
    uint32_t lens[4] = { 13, 4, 7, 10 };
    struct mock_thread *t = mock_thread_add(f->h, 300, 300, 1, 1, 1, "/bin/sh");
    const void *jparams[1];
    uint32_t jlens[1];

    mock_thread_add_cgroup(
            t, "cpu", "/docker/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    parse_res(f, EV_EXECVE_19_X, 300, 0);
    assert_string_equal(mock_thread_dyn_str(f->h, t, "container_id"), id);
    parse(f, saker_evt_build(f->buf, sizeof(f->buf), 1, 0, EV_CONTAINER_E, 4, params, lens)
                     ? (ss_plugin_event *)f->buf
                     : NULL);
    assert_string_equal(xs(f, 300, "container.name"), "legacy");
    assert_string_equal(xs(f, 300, "container.image"), "busybox:1");
    jparams[0] = "{\"container\":{\"id\":\"abcdef012345\",\"name\":\"j2\",\"type\":7}}";
    jlens[0] = (uint32_t)strlen(jparams[0]) + 1;
    parse(f, saker_evt_build(f->buf, sizeof(f->buf), 1, 0, EV_CONTAINER_JSON_2_E, 1, jparams, jlens)
                     ? (ss_plugin_event *)f->buf
                     : NULL);
    assert_string_equal(xs(f, 300, "container.name"), "j2");
    assert_string_equal(xs(f, 300, "container.type"), "containerd");
    fx_free(f);
}

static void init_exit_sends_container_removed(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *init = mock_thread_add(f->h, 400, 400, 1, 1, 1, "/pause");
    const char *name;
    const char *json;
    size_t before;

    mock_thread_add_cgroup(init, "cpu", DOCKER_CG);
    assert_int_equal(plugin_set_async_event_handler(f->p, f->h, mock_host_async_handler()),
                     SS_PLUGIN_SUCCESS);
    parse_res(f, EV_EXECVE_19_X, 400, 0);
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", container_json));
    before = mock_host_async_count(f->h);
    parse(f, mock_evt_procexit(f->buf, sizeof(f->buf), 9, 400));
    assert_int_equal(mock_host_async_count(f->h), before + 1);
    assert_true(mock_host_async_decode(f->h, before, &name, &json));
    assert_string_equal(name, "container_removed");
    assert_non_null(strstr(json, "\"id\":\"3ad7b26ded6d\""));
    /* dump_state replays what is known as container events */
    assert_int_equal(plugin_dump_state(f->p, f->h, mock_host_async_handler()), SS_PLUGIN_SUCCESS);
    assert_int_equal(mock_host_async_count(f->h), before + 2);
    assert_true(mock_host_async_decode(f->h, before + 1, &name, &json));
    assert_string_equal(name, "container");
    mock_host_async_refuse(f->h, true);
    assert_int_equal(plugin_dump_state(f->p, f->h, mock_host_async_handler()), SS_PLUGIN_FAILURE);
    assert_non_null(strstr(plugin_get_last_error(f->p), "refused"));
    mock_host_async_refuse(f->h, false);
    assert_int_equal(plugin_set_async_event_handler(f->p, f->h, NULL), SS_PLUGIN_SUCCESS);
    fx_free(f);
}

static void lxc_containers_need_no_runtime(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *t = mock_thread_add(f->h, 500, 500, 1, 1, 1, "/sbin/init");
    const char *name;
    const char *json;

    mock_thread_add_cgroup(t, "cpu", "/lxc.payload.web1/init.scope");
    assert_int_equal(plugin_set_async_event_handler(f->p, f->h, mock_host_async_handler()),
                     SS_PLUGIN_SUCCESS);
    parse_res(f, EV_EXECVE_19_X, 500, 0);
    assert_string_equal(xs(f, 500, "container.id"), "web1");
    assert_string_equal(xs(f, 500, "container.type"), "lxc");
    assert_string_equal(xs(f, 500, "container.name"), "");
    assert_int_equal(mock_host_async_count(f->h), 1);
    assert_true(mock_host_async_decode(f->h, 0, &name, &json));
    assert_string_equal(name, "container");
    assert_non_null(strstr(json, "\"id\":\"web1\""));
    /* a second process in it does not announce it again */
    parse_res(f, EV_EXECVE_19_X, 500, 0);
    assert_int_equal(mock_host_async_count(f->h), 1);
    fx_free(f);
}

static void static_engine_names_every_thread(void **state)
{
    struct fx *f = fx_new("{\"engines\":{\"static\":{\"enabled\":true,\"container_id\":"
                          "\"edge1\",\"container_name\":\"edge\",\"container_image\":"
                          "\"registry:5000/team/edge:2.0\"}}}");
    struct mock_thread *t = mock_thread_add(f->h, 600, 600, 1, 600, 600, "/bin/app");

    mock_thread_add_cgroup(t, "cpu", "/user.slice");
    assert_int_equal(plugin_capture_open(f->p, mock_host_capture_input(f->h)), SS_PLUGIN_SUCCESS);
    assert_string_equal(xs(f, 600, "container.id"), "edge1");
    assert_string_equal(xs(f, 600, "container.name"), "edge");
    assert_string_equal(xs(f, 600, "container.image.repository"), "registry:5000/team/edge");
    assert_string_equal(xs(f, 600, "container.image.tag"), "2.0");
    assert_string_equal(xs(f, 600, "container.type"), "");
    fx_free(f);
}

static void category_follows_init_and_parent(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *init = mock_thread_add(f->h, 700, 700, 1, 1, 1, "/pause");
    struct mock_thread *child = mock_thread_add(f->h, 701, 701, 700, 2, 2, "/bin/sh");
    uint16_t cat = 99;

    mock_thread_add_cgroup(init, "cpu", DOCKER_CG);
    mock_thread_add_cgroup(child, "cpu", DOCKER_CG);
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", container_json));
    parse_res(f, EV_EXECVE_19_X, 700, 0);
    parse_res(f, EV_EXECVE_19_X, 701, 0);
    assert_true(mock_thread_dyn_u16(f->h, init, "category", &cat));
    assert_int_equal(cat, CAT_CONTAINER);
    assert_true(mock_thread_dyn_u16(f->h, child, "category", &cat));
    assert_int_equal(cat, CAT_CONTAINER);
    fx_free(f);
}

static void healthcheck_probe_gets_its_category(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *shim = mock_thread_add(f->h, 800, 800, 1, 800, 800, "/usr/bin/shim");
    struct mock_thread *probe = mock_thread_add(f->h, 801, 801, 800, 5, 5, "/bin/sh");
    uint16_t cat = 0;
    char json[4096];

    mock_thread_add_cgroup(probe, "cpu", DOCKER_CG);
    mock_thread_add_arg(probe, "-c");
    mock_thread_add_arg(probe, "curl -f localhost");
    snprintf(json, sizeof(json),
             "{\"container\":{\"id\":\"3ad7b26ded6d\",\"name\":\"web\",\"Healthcheck\":"
             "{\"exe\":\"/bin/sh\",\"args\":[\"-c\",\"curl -f localhost\"]}}}");
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", json));
    parse_res(f, EV_EXECVE_19_X, 801, 0);
    assert_true(mock_thread_dyn_u16(f->h, probe, "category", &cat));
    assert_int_equal(cat, CAT_HEALTHCHECK);
    (void)shim;
    fx_free(f);
}

static void sandbox_fallback_for_pod_fields(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *t = docker_thread(f, 900);

    parse_res(f, EV_EXECVE_19_X, 900, 0);
    parse(f,
          mock_evt_async(f->buf, sizeof(f->buf), "container",
                         "{\"container\":{\"id\":\"63060edc2d3a\",\"is_pod_sandbox\":true,"
                         "\"ip\":\"10.1.2.3\",\"cni_json\":\"{\\\"ips\\\":[]}\","
                         "\"pod_sandbox_labels\":{\"app\":\"web\",\"io.kubernetes.x\":\"y\"}}}"));
    parse(f, mock_evt_async(f->buf, sizeof(f->buf), "container", container_json));
    assert_string_equal(xs(f, 900, "k8s.pod.ip"), "10.1.2.3");
    assert_string_equal(xs(f, 900, "k8s.pod.cni.json"), "{\"ips\":[]}");
    assert_string_equal(xs(f, 900, "k8s.pod.labels"), "app:web");
    assert_string_equal(xs_arg(f, 900, "k8s.pod.label", "app", -1), "web");
    assert_string_equal(xs(f, 900, "k8s.pod.full_sandbox_id"),
                        "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a");
    (void)t;
    fx_free(f);
}

static void unnumbered_events_are_not_confused(void **state)
{
    struct fx *f = fx_new(NO_RUNTIME);
    struct mock_thread *host = mock_thread_add(f->h, 10, 10, 1, 10, 10, "/bin/bash");
    ss_plugin_extract_field fl;
    uint8_t b1[64];
    uint8_t b2[64];

    docker_thread(f, 11);
    mock_thread_add_cgroup(host, "cpu", "/user.slice");
    assert_int_equal(plugin_capture_open(f->p, mock_host_capture_input(f->h)), SS_PLUGIN_SUCCESS);
    fl = extract_on(f, mock_evt_res(b1, sizeof(b1), 1, 5, 10, 0), 0, "container.id", NULL, -1);
    assert_string_equal(fl.res.str[0], "host");
    fl = extract_on(f, mock_evt_res(b2, sizeof(b2), 1, 5, 11, 0), 0, "container.id", NULL, -1);
    assert_string_equal(fl.res.str[0], "3ad7b26ded6d");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_json_lists_the_reference_field_set),
        cmocka_unit_test(init_fails_clearly_without_tables),
        cmocka_unit_test(parse_types_cover_process_and_container_events),
        cmocka_unit_test(execve_assigns_container_id_from_cgroups),
        cmocka_unit_test(failed_calls_change_nothing),
        cmocka_unit_test(clone_parent_side_assigns_the_child),
        cmocka_unit_test(host_threads_read_as_host),
        cmocka_unit_test(async_container_event_fills_metadata),
        cmocka_unit_test(bad_container_events_are_counted_not_fatal),
        cmocka_unit_test(legacy_container_events_are_understood),
        cmocka_unit_test(init_exit_sends_container_removed),
        cmocka_unit_test(lxc_containers_need_no_runtime),
        cmocka_unit_test(static_engine_names_every_thread),
        cmocka_unit_test(category_follows_init_and_parent),
        cmocka_unit_test(healthcheck_probe_gets_its_category),
        cmocka_unit_test(sandbox_fallback_for_pod_fields),
        cmocka_unit_test(unnumbered_events_are_not_confused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
