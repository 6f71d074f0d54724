/* SPDX-License-Identifier: Apache-2.0 */
/* The k8saudit plugin without a host: config, event conversion, queue, files, fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "k8saudit.h"

ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *s);
const char *plugin_get_last_error(ss_plugin_t *s);
ss_instance_t *plugin_open(ss_plugin_t *s, const char *params, ss_plugin_rc *rc);
void plugin_close(ss_plugin_t *s, ss_instance_t *h);
ss_plugin_rc plugin_next_batch(ss_plugin_t *s,
                               ss_instance_t *h,
                               uint32_t *nevts,
                               ss_plugin_event ***evts);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                   const ss_plugin_event_input *ev,
                                   const ss_plugin_field_extract_input *in);
ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics);
const char *plugin_get_fields(void);

/* ---- helpers ------------------------------------------------------------------------------ */

static char logged[8192];

static void capture_log(ss_plugin_owner_t *o,
                        const char *component,
                        const char *msg,
                        ss_plugin_log_severity sev)
{
    size_t n = strlen(logged);
    (void)o;
    (void)component;
    (void)sev;
    snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static ss_plugin_t *init_with(const char *config, ss_plugin_rc *rc)
{
    ss_plugin_init_input in;

    memset(&in, 0, sizeof(in));
    in.config = config;
    in.log_fn = capture_log;
    return plugin_init(&in, rc);
}

static uint64_t metric(ss_plugin_t *s, const char *name)
{
    uint32_t n = 0;
    ss_plugin_metric *m = plugin_get_metrics(s, &n);

    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, name) == 0) {
            return m[i].value.u64;
        }
    }
    fail_msg("no metric %s", name);
    return 0;
}

static uint32_t field_id(const char *name)
{
    static cJSON *fields;
    int i = 0;

    if (fields == NULL) {
        fields = cJSON_Parse(plugin_get_fields());
        assert_non_null(fields);
    }
    for (const cJSON *f = fields->child; f != NULL; f = f->next, i++) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "name")->valuestring, name) == 0) {
            return (uint32_t)i;
        }
    }
    fail_msg("no field %s", name);
    return 0;
}

/* Extracts name[arg] from a payload; returns the values joined by '|' ("<NA>" when none). */
static const char *extract(ss_plugin_t *s,
                           const char *payload,
                           const char *name,
                           const char *key,
                           int64_t index)
{
    static uint8_t buf[65536];
    static char out[4096];
    static uint64_t evtnum;
    ss_plugin_extract_field f;
    ss_plugin_event_input ev;
    ss_plugin_field_extract_input in;

    assert_true(saker_evt_build_plugin(buf, sizeof(buf), 1, 1, payload, (uint32_t)strlen(payload)) >
                0);
    memset(&ev, 0, sizeof(ev));
    ev.evt = (const ss_plugin_event *)buf;
    ev.evtnum = ++evtnum;
    memset(&f, 0, sizeof(f));
    f.field_id = field_id(name);
    f.field = name;
    f.ftype = FTYPE_STRING;
    if (key != NULL) {
        f.arg_key = key;
        f.arg_present = 1;
    } else if (index >= 0) {
        f.arg_index = (uint64_t)index;
        f.arg_present = 1;
    }
    memset(&in, 0, sizeof(in));
    in.num_fields = 1;
    in.fields = &f;
    assert_int_equal(plugin_extract_fields(s, &ev, &in), SS_PLUGIN_SUCCESS);
    if (f.res_len == 0) {
        return "<NA>";
    }
    out[0] = '\0';
    for (uint64_t i = 0; i < f.res_len; i++) {
        size_t n = strlen(out);
        snprintf(out + n, sizeof(out) - n, "%s%s", i ? "|" : "", f.res.str[i]);
    }
    return out;
}

static char *write_temp(const char *content)
{
    static char path[64];
    FILE *fp;
    int fd;

    snprintf(path, sizeof(path), "/tmp/k8saudit_test_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
    return path;
}

/* ---- config ------------------------------------------------------------------------------- */

static void test_config(void **state)
{
    static const struct {
        const char *config;
        const char *err; /* NULL: success */
    } cases[] = {
        { NULL, NULL },
        { "", NULL },
        { "{}", NULL },
        { "{\"maxEventSize\":1000,\"webhookMaxBatchSize\":5000,\"useAsync\":false,\"x\":1}", NULL },
        { "{\"webhookBearerToken\":\"s3cret\",\"webhookThreads\":4}", NULL },
        { "{\"maxEventSize\":\"big\"}", "\"maxEventSize\" must be an integer" },
        { "{\"maxEventSize\":0}", "\"maxEventSize\" must be an integer" },
        { "{\"webhookMaxBatchSize\":1.5}", "\"webhookMaxBatchSize\" must be an integer" },
        { "{\"webhookThreads\":1000}", "\"webhookThreads\" must be an integer from 1 to 64" },
        { "{\"sslCertificate\":7}", "\"sslCertificate\" must be a string" },
        { "{\"useAsync\":1}", "\"useAsync\" must be true or false" },
        { "{\"webhookBearerToken\":\"\"}", "is empty" },
        { "{\"webhookBearerTokenFile\":\"/nonexistent/token\"}",
          "cannot read webhookBearerTokenFile /nonexistent/token" },
        { "[]", "not a JSON object" },
        { "{", "not a JSON object" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ss_plugin_rc rc;
        ss_plugin_t *s = init_with(cases[i].config, &rc);
        assert_non_null(s);
        if (cases[i].err == NULL) {
            if (rc != SS_PLUGIN_SUCCESS) {
                fail_msg("case %zu: %s", i, plugin_get_last_error(s));
            }
        } else {
            assert_int_equal(rc, SS_PLUGIN_FAILURE);
            if (strstr(plugin_get_last_error(s), cases[i].err) == NULL) {
                fail_msg("case %zu: got '%s'", i, plugin_get_last_error(s));
            }
        }
        plugin_destroy(s);
    }
}

static void test_config_token_file(void **state)
{
    char cfg[256];
    struct k8s_config c;
    struct saker_errbuf err;
    char *path = write_temp("tok-123\n");
    (void)state;

    snprintf(cfg, sizeof(cfg), "{\"webhookBearerTokenFile\":\"%s\"}", path);
    assert_int_equal(k8s_config_parse(&c, cfg, &err), 0);
    assert_string_equal(c.bearer_token, "tok-123");
    assert_int_equal(c.max_event_size, 262144);
    assert_int_equal(c.max_batch_size, 12582912);
    assert_string_equal(c.ssl_certificate, "/etc/falco/falco.pem");
    k8s_config_fini(&c);
    snprintf(cfg, sizeof(cfg), "{\"webhookBearerTokenFile\":\"%s\",\"webhookBearerToken\":\"x\"}",
             path);
    assert_int_equal(k8s_config_parse(&c, cfg, &err), -1);
    assert_non_null(strstr(err.msg, "keep one"));
    k8s_config_fini(&c);
    unlink(path);
}

/* ---- events -------------------------------------------------------------------------------- */

#define EV(id, stamp)                                                            \
    "{\"kind\":\"Event\",\"auditID\":\"" id "\",\"stage\":\"ResponseComplete\"," \
    "\"stageTimestamp\":\"" stamp "\"}"

static void test_events_from_json(void **state)
{
    static const struct {
        const char *doc;
        int rc;
        uint32_t events, no_ts, too_large;
    } cases[] = {
        { EV("a", "2018-10-26T13:38:34.902914Z"), 0, 1, 0, 0 },
        { "{\"kind\":\"EventList\",\"items\":[" EV("a", "2018-10-26T13:38:34Z") "," EV(
                  "b", "2018-10-26T13:38:35Z") "]}",
          0, 2, 0, 0 },
        { "[" EV("a", "2018-10-26T13:38:34Z") ",{\"kind\":\"EventList\",\"items\":[" EV(
                  "b", "2018-10-26T13:38:35Z") "]}]",
          0, 2, 0, 0 },
        { "{\"kind\":\"EventList\",\"items\":[{\"kind\":\"Event\"}," EV("b", "bad") "]}", 0, 0, 2,
          0 },
        { "{\"kind\":0}", -1, 0, 0, 0 },
        { "{\"kind\":\"Pod\"}", -1, 0, 0, 0 },
        { "{\"kind\":\"EventList\"}", -1, 0, 0, 0 },
        { "[" EV("a", "2018-10-26T13:38:34Z") ",{\"kind\":\"Other\"}]", -1, 0, 0, 0 },
        { "42", -1, 0, 0, 0 },
        { "[]", 0, 0, 0, 0 },
    };
    struct jk_buf scratch;
    struct k8s_evbuf out = { 0 };
    (void)state;

    jk_buf_init(&scratch);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct k8s_parse_stats st = { 0 };
        cJSON *root = cJSON_Parse(cases[i].doc);
        int rc;
        assert_non_null(root);
        k8s_evbuf_reset(&out);
        rc = k8s_events_from_json(root, 262144, &scratch, &out, &st);
        cJSON_Delete(root);
        if (rc != cases[i].rc || out.count != cases[i].events || st.events != cases[i].events ||
            st.no_timestamp != cases[i].no_ts || st.too_large != cases[i].too_large) {
            fail_msg("case %zu: rc %d count %u no_ts %u too_large %u", i, rc, out.count,
                     st.no_timestamp, st.too_large);
        }
    }
    /* payload: the event re-serialised compactly; ts: stageTimestamp */
    {
        struct k8s_parse_stats st = { 0 };
        cJSON *root = cJSON_Parse("{ \"kind\" : \"Event\", \"auditID\": \"x\",\n \"stageTimestamp\""
                                  ": \"2018-10-26T13:38:34.902914Z\" }");
        const ss_plugin_event *e;
        const uint8_t *data;
        uint32_t len, id;
        k8s_evbuf_reset(&out);
        assert_int_equal(k8s_events_from_json(root, 262144, &scratch, &out, &st), 0);
        e = k8s_evbuf_next(out.p, out.len, NULL);
        assert_non_null(e);
        assert_int_equal(e->ts, 1540561114902914000ull);
        assert_int_equal(e->type, PPME_PLUGINEVENT_E);
        assert_int_equal(saker_evt_plugin_payload(e, &id, &data, &len), 0);
        assert_int_equal(id, K8S_PLUGIN_ID);
        const char *want =
                "{\"kind\":\"Event\",\"auditID\":\"x\",\"stageTimestamp\":\"2018-10-26T13:38:34."
                "902914Z\"}";
        assert_int_equal(len, strlen(want));
        assert_memory_equal(data, want, len);
        assert_null(k8s_evbuf_next(out.p, out.len, e));
        /* maxEventSize applies to that payload */
        k8s_evbuf_reset(&out);
        memset(&st, 0, sizeof(st));
        assert_int_equal(k8s_events_from_json(root, len - 1, &scratch, &out, &st), 0);
        assert_int_equal(st.too_large, 1);
        assert_int_equal(out.count, 0);
        cJSON_Delete(root);
    }
    k8s_evbuf_fini(&out);
    jk_buf_fini(&scratch);
}

/* ---- queue ---------------------------------------------------------------------------------- */

static struct k8s_chunk chunk(uint32_t count, size_t len)
{
    struct k8s_chunk c = { .data = malloc(len), .len = len, .count = count };
    assert_non_null(c.data);
    return c;
}

static void test_queue(void **state)
{
    struct k8s_queue q;
    struct k8s_chunk out[8];
    struct k8s_chunk c;
    uint64_t ev, by;
    (void)state;

    assert_int_equal(k8s_queue_init(&q, 10, 1000), 0);
    /* empty: waits, then nothing */
    assert_int_equal(k8s_queue_pop(&q, out, 8, 100, 5, &ev, &by), 0);
    c = chunk(4, 100);
    assert_int_equal(k8s_queue_push(&q, &c), 0);
    c = chunk(6, 100);
    assert_int_equal(k8s_queue_push(&q, &c), 0);
    /* an 11th event does not fit: refused whole, caller keeps it */
    c = chunk(1, 10);
    assert_int_equal(k8s_queue_push(&q, &c), -1);
    free(c.data);
    /* pop respects max_events but always takes one chunk */
    assert_int_equal(k8s_queue_pop(&q, out, 8, 3, 0, &ev, &by), 1);
    assert_int_equal(out[0].count, 4);
    assert_int_equal(ev, 6);
    assert_int_equal(by, 100);
    free(out[0].data);
    /* bytes bound */
    c = chunk(1, 950);
    assert_int_equal(k8s_queue_push(&q, &c), -1);
    free(c.data);
    c = chunk(1, 900);
    assert_int_equal(k8s_queue_push(&q, &c), 0);
    assert_int_equal(k8s_queue_pop(&q, out, 8, 100, 0, &ev, &by), 2);
    assert_int_equal(ev, 0);
    assert_int_equal(by, 0);
    free(out[0].data);
    free(out[1].data);
    /* chunks left behind are freed with the queue */
    c = chunk(1, 10);
    assert_int_equal(k8s_queue_push(&q, &c), 0);
    k8s_queue_fini(&q);
}

/* ---- files ---------------------------------------------------------------------------------- */

static int read_all(ss_plugin_t *s, const char *params, uint32_t *count, char first_ids[][16])
{
    ss_plugin_rc rc;
    ss_instance_t *h = plugin_open(s, params, &rc);
    uint32_t total = 0;

    if (h == NULL) {
        return -1;
    }
    for (;;) {
        uint32_t n = 0;
        ss_plugin_event **evts = NULL;
        rc = plugin_next_batch(s, h, &n, &evts);
        if (rc == SS_PLUGIN_EOF) {
            break;
        }
        assert_int_equal(rc, SS_PLUGIN_SUCCESS);
        assert_true(n > 0);
        for (uint32_t i = 0; i < n; i++, total++) {
            const uint8_t *data;
            uint32_t len, id;
            assert_int_equal(saker_evt_plugin_payload(evts[i], &id, &data, &len), 0);
            if (first_ids != NULL && total < 8) {
                cJSON *doc = cJSON_ParseWithLength((const char *)data, len);
                snprintf(first_ids[total], 16, "%s",
                         cJSON_GetObjectItemCaseSensitive(doc, "auditID")->valuestring);
                cJSON_Delete(doc);
            }
        }
    }
    plugin_close(s, h);
    *count = total;
    return 0;
}

static void test_files(void **state)
{
    char ids[8][16];
    uint32_t count = 0;
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    char *path;
    char params[128];
    (void)state;

    /* JSON lines, a multi-line EventList, garbage and non-audit data in between */
    path = write_temp(EV("a", "2018-10-26T13:38:34Z") "\n\n" EV(
            "b",
            "2018-10-26T13:38:35Z") "\n{\"kind\": 0}\nnot json at all\n"
                                    "{\n  \"kind\": \"EventList\",\n  \"items\": [\n    " EV(
                                            "c",
                                            "2018-10-26T13:38:36Z") ",\n    " EV("d",
                                                                                 "bad") "\n  ]\n}\n"
                                                                                        "{\"kind\":\"Event\",\"auditID\":\"e\",\"stageTimestamp\":\"2018-10-26T13:38:"
                                                                                        "37Z\"}");
    logged[0] = '\0';
    assert_int_equal(read_all(s, path, &count, ids), 0);
    assert_int_equal(count, 4);
    assert_string_equal(ids[0], "a");
    assert_string_equal(ids[1], "b");
    assert_string_equal(ids[2], "c");
    assert_string_equal(ids[3], "e");
    assert_non_null(strstr(logged, ":4: data not recognized as a k8s audit event"));
    assert_non_null(strstr(logged, ":5: invalid JSON"));
    assert_non_null(strstr(logged, "skipped 1 audit events without a valid stageTimestamp"));
    assert_int_equal(metric(s, "file_events_read"), 4);
    assert_int_equal(metric(s, "events_delivered"), 4);
    assert_int_equal(metric(s, "events_skipped"), 1);
    /* file:// reads the same file */
    snprintf(params, sizeof(params), " file://%s ", path);
    assert_int_equal(read_all(s, params, &count, NULL), 0);
    assert_int_equal(count, 4);
    unlink(path);

    /* the upstream FAL-01-003 fixture: rejected with upstream's message, no event */
    path = write_temp("{\"kind\": 0}");
    logged[0] = '\0';
    assert_int_equal(read_all(s, path, &count, NULL), 0);
    assert_int_equal(count, 0);
    assert_non_null(strstr(logged, "data not recognized as a k8s audit event"));
    unlink(path);

    /* a truncated last document is reported, the complete ones are kept */
    path = write_temp(EV("a", "2018-10-26T13:38:34Z") "\n{\"kind\":\"Event\",\"auditID\":\"b");
    logged[0] = '\0';
    assert_int_equal(read_all(s, path, &count, NULL), 0);
    assert_int_equal(count, 1);
    assert_non_null(strstr(logged, ":2: truncated JSON document"));
    unlink(path);

    /* a directory: every regular file, oldest first (by mtime, not by name) */
    {
        char dir[] = "/tmp/k8saudit_dir_XXXXXX";
        char a[128], b[128], sub[128], cmd[512];
        FILE *fp;
        struct timespec t[2] = { { .tv_sec = 2000000000 }, { .tv_sec = 2000000000 } };
        assert_non_null(mkdtemp(dir));
        snprintf(a, sizeof(a), "%s/a-newer.log", dir);
        snprintf(b, sizeof(b), "%s/b-older.log", dir);
        snprintf(sub, sizeof(sub), "%s/subdir", dir);
        fp = fopen(a, "w");
        fputs(EV("newer", "2018-10-26T13:38:34Z") "\n", fp);
        fclose(fp);
        fp = fopen(b, "w");
        fputs(EV("older-1", "2018-10-26T13:38:30Z") "\n" EV("older-2", "2018-10-26T13:38:31Z"), fp);
        fclose(fp);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(utimensat(AT_FDCWD, a, t, 0), 0);
        t[0].tv_sec = t[1].tv_sec = 1000000000;
        assert_int_equal(utimensat(AT_FDCWD, b, t, 0), 0);
        assert_int_equal(read_all(s, dir, &count, ids), 0);
        assert_int_equal(count, 3);
        assert_string_equal(ids[0], "older-1");
        assert_string_equal(ids[1], "older-2");
        assert_string_equal(ids[2], "newer");
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
    }

    /* open errors name the path and say what to give */
    assert_int_equal(read_all(s, "/nonexistent/audit.log", &count, NULL), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "cannot open /nonexistent/audit.log"));
    assert_int_equal(read_all(s, "", &count, NULL), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "open_params is empty"));
    assert_int_equal(read_all(s, "s3://bucket/x", &count, NULL), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "scheme not supported"));
    assert_int_equal(read_all(s, "http://localhost/x", &count, NULL), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "not a webhook address"));
    plugin_destroy(s);
}

/* ---- fields --------------------------------------------------------------------------------- */

static const char POD[] =
        "{\"kind\":\"Event\",\"auditID\":\"id-1\",\"stage\":\"ResponseComplete\","
        "\"annotations\":{\"authorization.k8s.io/decision\":\"allow\","
        "\"authorization.k8s.io/reason\":\"RBAC\",\"cluster_name\":\"prod\","
        "\"pod-security.kubernetes.io/audit-violations\":\"privileged\"},"
        "\"user\":{\"username\":\"alice\",\"groups\":[\"dev\",\"system:authenticated\"]},"
        "\"impersonatedUser\":{\"username\":\"bob\"},\"verb\":\"create\","
        "\"requestURI\":\"/api/v1/namespaces/default/pods/p/exec?command=ls&command=-l&"
        "container=c1&x=a%20b+c\","
        "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"default\",\"name\":\"p\"},"
        "\"sourceIPs\":[\"10.0.0.1\",\"10.0.0.2\"],\"userAgent\":\"kubectl\","
        "\"responseStatus\":{\"code\":201,\"reason\":\"Created\"},"
        "\"responseObject\":{\"metadata\":{\"name\":\"p\"}},"
        "\"requestObject\":{\"spec\":{\"hostNetwork\":true,\"hostPID\":false,"
        "\"securityContext\":{\"runAsUser\":1000,\"fsGroup\":2000,\"supplementalGroups\":[1,2]},"
        "\"containers\":[{\"name\":\"c1\",\"image\":\"docker.io/nginx:1.25@sha256:ab\","
        "\"command\":[\"sh\",\"-c\"],\"args\":[\"sleep\",\"10\"],"
        "\"ports\":[{\"containerPort\":80},{\"containerPort\":443,\"hostPort\":8443}],"
        "\"securityContext\":{\"privileged\":true,\"runAsUser\":0,\"capabilities\":{\"add\":"
        "[\"NET_ADMIN\"]}}},"
        "{\"name\":\"c2\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":false}}],"
        "\"initContainers\":[{\"name\":\"i1\",\"image\":\"alpine:3\",\"securityContext\":"
        "{\"privileged\":true,\"runAsGroup\":5}}],"
        "\"volumes\":[{\"name\":\"v1\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}},"
        "{\"name\":\"v2\",\"emptyDir\":{}},{\"name\":\"v3\",\"flexVolume\":{\"driver\":\"x/y\"}}]}}}";

static void test_fields(void **state)
{
    static const struct {
        const char *field;
        const char *key;
        int64_t index;
        const char *want;
    } cases[] = {
        { "ka.auditid", NULL, -1, "id-1" },
        { "ka.stage", NULL, -1, "ResponseComplete" },
        { "ka.auth.decision", NULL, -1, "allow" },
        { "ka.auth.reason", NULL, -1, "RBAC" },
        { "ka.auth.openshift.decision", NULL, -1, "<NA>" },
        { "ka.security.pod.violations", NULL, -1, "privileged" },
        { "ka.user.name", NULL, -1, "alice" },
        { "ka.user.groups", NULL, -1, "dev|system:authenticated" },
        { "ka.impuser.name", NULL, -1, "bob" },
        { "ka.verb", NULL, -1, "create" },
        { "ka.uri.param", "command", -1, "ls" },
        { "ka.uri.param", "container", -1, "c1" },
        { "ka.uri.param", "x", -1, "a b c" },
        { "ka.uri.param", "missing", -1, "<NA>" },
        { "ka.target.name", NULL, -1, "p" },
        { "ka.target.namespace", NULL, -1, "default" },
        { "ka.target.resource", NULL, -1, "pods" },
        { "ka.target.subresource", NULL, -1, "<NA>" },
        { "ka.target.pod.name", NULL, -1, "p" },
        { "ka.req.binding.subject.has_name", "anything", -1, "true" },
        { "ka.req.pod.containers.name", NULL, -1, "c1|c2" },
        { "ka.req.pod.containers.image", NULL, -1, "docker.io/nginx:1.25@sha256:ab|busybox" },
        { "ka.req.pod.containers.image", NULL, 1, "busybox" },
        { "ka.req.pod.containers.image", NULL, 5, "<NA>" },
        { "ka.req.pod.containers.image.repository", NULL, -1, "docker.io/nginx|busybox" },
        { "ka.req.container.image", NULL, -1, "docker.io/nginx:1.25@sha256:ab" },
        { "ka.req.container.image.repository", NULL, -1, "docker.io/nginx" },
        { "ka.req.pod.containers.command", NULL, -1, "sh -c" },
        { "ka.req.pod.containers.args", NULL, -1, "sleep 10" },
        { "ka.req.pod.host_network", NULL, -1, "true" },
        { "ka.req.container.host_network", NULL, -1, "true" },
        { "ka.req.pod.host_pid", NULL, -1, "false" },
        { "ka.req.pod.host_ipc", NULL, -1, "<NA>" },
        { "ka.req.pod.containers.host_port", NULL, -1, "80|8443" },
        { "ka.req.pod.containers.privileged", NULL, -1, "true|false" },
        { "ka.req.pod.containers.privileged", NULL, 1, "false" },
        { "ka.req.container.privileged", NULL, -1, "true" },
        { "ka.req.pod.run_as_user", NULL, -1, "1000" },
        { "ka.req.pod.containers.run_as_user", NULL, -1, "0" },
        { "ka.req.pod.containers.eff_run_as_user", NULL, -1, "0|1000" },
        { "ka.req.pod.containers.eff_run_as_group", NULL, -1, "0|0" },
        { "ka.req.pod.fs_group", NULL, -1, "2000" },
        { "ka.req.pod.supplemental_groups", NULL, -1, "1|2" },
        { "ka.req.pod.containers.add_capabilities", NULL, -1, "[\"NET_ADMIN\"]" },
        { "ka.req.pod.volumes.hostpath", NULL, -1, "/var/run/docker.sock" },
        { "ka.req.volume.hostpath", "/var/run/docker.sock", -1, "true" },
        { "ka.req.volume.hostpath", "/var/run*", -1, "true" },
        { "ka.req.volume.hostpath", "/etc", -1, "false" },
        { "ka.req.pod.volumes.flexvolume_driver", NULL, -1, "x/y" },
        { "ka.req.pod.volumes.volume_type", NULL, -1, "hostPath|emptyDir|flexVolume" },
        { "ka.resp.name", NULL, -1, "p" },
        { "ka.response.code", NULL, -1, "201" },
        { "ka.response.reason", NULL, -1, "Created" },
        { "ka.useragent", NULL, -1, "kubectl" },
        { "ka.sourceips", NULL, -1, "10.0.0.1|10.0.0.2" },
        { "ka.sourceips", NULL, 1, "10.0.0.2" },
        { "ka.cluster.name", NULL, -1, "prod" },
        { "ka.req.pod.initContainers.name", NULL, -1, "i1" },
        { "ka.req.pod.initContainers.image.repository", NULL, -1, "alpine" },
        { "ka.req.pod.initContainers.privileged", NULL, -1, "true" },
        { "ka.req.pod.initContainers.eff_run_as_group", NULL, -1, "5" },
        { "ka.req.pod.initContainers.host_port", NULL, -1, "<NA>" },
        { "ka.req.pod.ephemeralContainers.privileged", NULL, -1, "<NA>" },
    };
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = extract(s, POD, cases[i].field, cases[i].key, cases[i].index);
        if (strcmp(got, cases[i].want) != 0) {
            fail_msg("%s[%s/%lld]: got '%s', want '%s'", cases[i].field,
                     cases[i].key ? cases[i].key : "", (long long)cases[i].index, got,
                     cases[i].want);
        }
    }
    plugin_destroy(s);
}

static void test_fields_rbac(void **state)
{
    static const char ROLE[] =
            "{\"auditID\":\"r\",\"objectRef\":{\"resource\":\"pods\",\"subresource\":\"exec\"},"
            "\"responseObject\":{\"metadata\":{\"name\":\"p\"}},"
            "\"requestObject\":{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\","
            "\"pods/exec\"],\"verbs\":[\"get\",\"create\"]},{\"resources\":[\"*\"],\"verbs\":"
            "[\"*\"]}],\"roleRef\":{\"name\":\"cluster-admin\"},\"subjects\":[{\"kind\":\"User\","
            "\"name\":\"u1\"},{\"kind\":\"ServiceAccount\",\"name\":\"sa\",\"namespace\":\"ns\"},"
            "{\"kind\":\"Group\",\"name\":\"g\"}],\"data\":{\"password\":\"x\"}}}";
    static const struct {
        const char *field;
        int64_t index;
        const char *want;
    } cases[] = {
        { "ka.req.role.rules.resources", -1, "pods|pods/exec|*" },
        { "ka.req.role.rules.resources", 1, "*" },
        { "ka.req.role.rules.verbs", -1, "get|create|*" },
        { "ka.req.role.rules.apiGroups", -1, "" },
        { "ka.req.role.rules.nonResourceURLs", -1, "<NA>" },
        { "ka.req.binding.role", -1, "cluster-admin" },
        { "ka.req.binding.subjects.user_names", -1, "u1" },
        { "ka.req.binding.subjects.serviceaccount_names", -1, "sa" },
        { "ka.req.binding.subjects.serviceaccount_ns_names", -1, "ns:sa" },
        { "ka.req.binding.subjects.group_names", -1, "g" },
        { "ka.req.binding.subjects", -1,
          "{\"kind\":\"User\",\"name\":\"u1\"}|{\"kind\":\"ServiceAccount\",\"name\":\"sa\","
          "\"namespace\":\"ns\"}|{\"kind\":\"Group\",\"name\":\"g\"}" },
        { "ka.req.configmap.obj", -1, "{\"password\":\"x\"}" },
        { "ka.target.pod.name", -1, "<NA>" },
        { "ka.target.subresource", -1, "exec" },
        { "ka.req.pod.containers.image", -1, "<NA>" },
    };
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = extract(s, ROLE, cases[i].field, NULL, cases[i].index);
        if (strcmp(got, cases[i].want) != 0) {
            fail_msg("%s[%lld]: got '%s', want '%s'", cases[i].field, (long long)cases[i].index,
                     got, cases[i].want);
        }
    }
    /* no auditID: not an audit event, nothing is extracted */
    assert_string_equal(extract(s, "{\"verb\":\"get\"}", "ka.verb", NULL, -1), "<NA>");
    assert_string_equal(extract(s, "not json", "ka.verb", NULL, -1), "<NA>");
    plugin_destroy(s);
}

/* ---- webhook ------------------------------------------------------------------------------ */

/* POSTs body to 127.0.0.1:port/path over plain HTTP/1.0; returns the status code. */
static int http_post(int port, const char *path, const char *body)
{
    struct sockaddr_in sa;
    char req[4096], resp[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0), n, status = 0;
    size_t got = 0;

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    n = snprintf(req, sizeof(req),
                 "POST %s HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "\r\n%s",
                 path, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof(req));
    assert_int_equal(write(fd, req, (size_t)n), n);
    while (got < sizeof(resp) - 1) {
        ssize_t r = read(fd, resp + got, sizeof(resp) - 1 - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    resp[got] = '\0';
    close(fd);
    assert_int_equal(sscanf(resp, "HTTP/1.%*d %d", &status), 1);
    return status;
}

static void test_webhook_close_reports_undelivered(void **state)
{
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("{\"webhookThreads\":1}", &rc);
    ss_instance_t *h;
    const char *url;
    int port = 0;
    uint32_t n = 0;
    ss_plugin_event **evts = NULL;
    (void)state;

    logged[0] = '\0';
    h = plugin_open(s, "http://127.0.0.1:0/audit", &rc);
    assert_int_equal(rc, SS_PLUGIN_SUCCESS);
    url = strstr(logged, "webhook listening on http://127.0.0.1:");
    assert_non_null(url);
    port = atoi(url + strlen("webhook listening on http://127.0.0.1:"));
    assert_true(port > 0);
    /* nothing queued yet: TIMEOUT, not an error */
    assert_int_equal(plugin_next_batch(s, h, &n, &evts), SS_PLUGIN_TIMEOUT);
    assert_int_equal(
            http_post(port, "/audit",
                      "{\"kind\":\"EventList\",\"items\":[" EV("a", "2024-01-01T00:00:00Z") "," EV(
                              "b", "2024-01-01T00:00:01Z") "]}"),
            200);
    assert_int_equal(http_post(port, "/audit", EV("c", "2024-01-01T00:00:02Z")), 200);
    assert_int_equal(http_post(port, "/other", EV("d", "2024-01-01T00:00:02Z")), 404);
    /* one batch holds both requests' events, in arrival order */
    assert_int_equal(plugin_next_batch(s, h, &n, &evts), SS_PLUGIN_SUCCESS);
    assert_int_equal(n, 3);
    assert_int_equal(evts[0]->ts, 1704067200000000000ull);
    assert_int_equal(evts[2]->ts, 1704067202000000000ull);
    /* accepted but never read: the close says so and counts them */
    assert_int_equal(http_post(port, "/audit", EV("e", "2024-01-01T00:00:03Z")), 200);
    plugin_close(s, h);
    assert_non_null(strstr(logged, "webhook closed with 1 accepted events the engine never read"));
    assert_int_equal(metric(s, "webhook_events_discarded_at_close"), 1);
    assert_int_equal(metric(s, "webhook_events_queued"), 4);
    assert_int_equal(metric(s, "events_delivered"), 3);
    assert_int_equal(metric(s, "webhook_rejected_not_found"), 1);
    plugin_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_config_token_file),
        cmocka_unit_test(test_events_from_json),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_fields_rbac),
        cmocka_unit_test(test_webhook_close_reports_undelivered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
