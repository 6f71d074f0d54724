/* SPDX-License-Identifier: Apache-2.0 */
/* The cloudtrail plugin without a host: splitting, files, fields, config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "cloudtrail.h"

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
const char *plugin_event_to_string(ss_plugin_t *s, const ss_plugin_event_input *ev);
ss_plugin_metric *plugin_get_metrics(ss_plugin_t *s, uint32_t *num_metrics);
const char *plugin_get_fields(void);

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

static char tmpdir[64];

static void make_file(const char *rel, const char *content, bool gz)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    for (char *p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        gzwrite(g, content, (unsigned)strlen(content));
        gzclose(g);
    } else {
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fputs(content, fp);
        fclose(fp);
    }
}

#define REC(id, t)                                                                  \
    "{\"eventID\":\"" id "\",\"eventTime\":\"" t "\",\"eventType\":\"AwsApiCall\"," \
    "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":\"us-east-1\"}"

/* ---- splitting ---------------------------------------------------------------------------- */

static void test_split(void **state)
{
    static const struct {
        const char *in;
        int rc;
        size_t n;
        const char *first;
        const char *last;
    } cases[] = {
        { "{\"Records\":[{\"a\":\"x { y\"},{\"b\":1}]}", 0, 2, "{\"a\":\"x { y\"}", "{\"b\":1}" },
        { "{\"Records\":[{\"a\":\"q\\\" }\\\\\"} , {\"b\":[{}]} ]}", 0, 2,
          "{\"a\":\"q\\\" }\\\\\"}", "{\"b\":[{}]}" },
        { "{\"Records\":[]}", 0, 0, NULL, NULL },
        { "{\"Records\":[{\"a\":1},{\"b\":\"cut {", 0, 1, "{\"a\":1}", "{\"a\":1}" },
        { "{\"digest\":{\"Records\":[{\"no\":1}]},\"Records\":[{\"yes\":1}]}", 0, 1, "{\"yes\":1}",
          "{\"yes\":1}" },
        { "{\"Rec\\u006frds\":[{\"esc\":1}]}", 0, 1, "{\"esc\":1}", "{\"esc\":1}" },
        { "{\"Records\":[1,\"s\",{\"o\":1}]}", 0, 1, "{\"o\":1}", "{\"o\":1}" },
        { "[{\"Records\":[]}]", -1, 0, NULL, NULL },
        { "", -1, 0, NULL, NULL },
        { "{", 0, 0, NULL, NULL },
    };
    struct ct_spans sp = { 0 };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *in = cases[i].in;
        int rc = ct_split_records(in, strlen(in), &sp);
        if (rc != cases[i].rc || sp.n != cases[i].n) {
            fail_msg("case %zu: rc %d n %zu", i, rc, sp.n);
        }
        if (sp.n > 0) {
            const struct ct_span *a = &sp.v[0], *z = &sp.v[sp.n - 1];
            if (a->len != strlen(cases[i].first) || memcmp(in + a->off, cases[i].first, a->len) ||
                z->len != strlen(cases[i].last) || memcmp(in + z->off, cases[i].last, z->len)) {
                fail_msg("case %zu: records '%.*s' .. '%.*s'", i, (int)a->len, in + a->off,
                         (int)z->len, in + z->off);
            }
        }
    }
    free(sp.v);
}

/* ---- files ---------------------------------------------------------------------------------- */

static int read_ids(ss_plugin_t *s, const char *params, char *ids, size_t len)
{
    ss_plugin_rc rc;
    ss_instance_t *h = plugin_open(s, params, &rc);
    int count = 0;

    ids[0] = '\0';
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
        for (uint32_t i = 0; i < n; i++, count++) {
            const uint8_t *data;
            uint32_t dl, id;
            cJSON *doc;
            assert_int_equal(saker_evt_plugin_payload(evts[i], &id, &data, &dl), 0);
            assert_int_equal(id, CT_PLUGIN_ID);
            doc = cJSON_ParseWithLength((const char *)data, dl);
            assert_non_null(doc);
            size_t k = strlen(ids);
            snprintf(ids + k, len - k, "%s%s", k ? "," : "",
                     cJSON_GetObjectItemCaseSensitive(doc, "eventID")->valuestring);
            cJSON_Delete(doc);
        }
    }
    plugin_close(s, h);
    return count;
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

static void test_files(void **state)
{
    char ids[512], path[256];
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    (void)state;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cloudtrail_test_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    /* out of order within a file: delivered by eventTime, ties in file order */
    make_file(
            "AWSLogs/a/2024/01/01/f1.json",
            "{\"Records\":[" REC("t3", "2024-01-01T00:00:03Z") "," REC("t1", "2024-01-01T00:00:01Z") "," REC(
                    "t2a", "2024-01-01T00:00:02Z") "," REC("t2b", "2024-01-01T00:00:02Z") "]}",
            false);
    /* gzip, and records that are skipped: no time, no type, insight, bad time */
    make_file(
            "AWSLogs/a/2024/01/02/f2.json.gz",
            "{\"Records\":[" REC(
                    "g1",
                    "2024-01-02T00:00:00Z") ","
                                            "{\"eventID\":\"x1\",\"eventType\":\"AwsApiCall\"},"
                                            "{\"eventID\":\"x2\",\"eventTime\":\"2024-01-02T00:00:00Z\"},"
                                            "{\"eventID\":\"x3\",\"eventTime\":\"2024-01-02T00:00:00Z\",\"eventType\":"
                                            "\"AwsCloudTrailInsight\"},"
                                            "{\"eventID\":\"x4\",\"eventTime\":\"yesterday\",\"eventType\":\"AwsApiCall\"}]}",
            true);
    /* a cut-off gzip file keeps its complete records */
    {
        char gzpath[256], cut[256];
        char cmd[1200];
        make_file("AWSLogs/c/cut.json.gz",
                  "{\"Records\":[" REC("z1", "2024-01-03T00:00:00Z") "," REC(
                          "z2", "2024-01-03T00:00:01Z") "," REC("z3", "2024-01-03T00:00:02Z") "]}",
                  true);
        snprintf(gzpath, sizeof(gzpath), "%s/AWSLogs/c/cut.json.gz", tmpdir);
        snprintf(cut, sizeof(cut), "%s/AWSLogs/c/cut2.json.gz", tmpdir);
        /* drop the gzip trailer and the end of the compressed data */
        snprintf(cmd, sizeof(cmd), "head -c $(( $(stat -c %%s %s) - 12 )) %s > %s && rm %s", gzpath,
                 gzpath, cut, gzpath);
        assert_int_equal(system(cmd), 0);
    }
    /* ignored by the walk: not *.json / *.json.gz */
    make_file("AWSLogs/a/notes.txt", "{\"Records\":[" REC("no", "2024-01-01T00:00:00Z") "]}",
              false);
    /* not a log file: reported, the others still read */
    make_file("AWSLogs/b/broken.json", "[1,2,3]", false);
    logged[0] = '\0';
    assert_int_equal(read_ids(s, tmpdir, ids, sizeof(ids)), 7);
    assert_string_equal(ids, "t1,t2a,t2b,t3,g1,z1,z2");
    assert_non_null(strstr(logged, "cut2.json.gz: truncated gzip data"));
    assert_non_null(strstr(logged, "broken.json: not a CloudTrail log file"));
    assert_non_null(strstr(logged, "f2.json.gz: skipped 4 records"));
    assert_int_equal(metric(s, "records_read"), 7);
    assert_int_equal(metric(s, "records_skipped"), 4);
    assert_int_equal(metric(s, "files_read"), 3);
    assert_int_equal(metric(s, "files_failed"), 1);
    /* a single file is read whatever its name */
    snprintf(path, sizeof(path), "%s/AWSLogs/a/notes.txt", tmpdir);
    assert_int_equal(read_ids(s, path, ids, sizeof(ids)), 1);
    assert_string_equal(ids, "no");

    assert_int_equal(read_ids(s, "s3://bucket/prefix", ids, sizeof(ids)), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "not supported in this build"));
    assert_int_equal(read_ids(s, "sqs://queue", ids, sizeof(ids)), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "from SQS is not supported in this build"));
    assert_int_equal(read_ids(s, "/nonexistent/ct", ids, sizeof(ids)), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "cannot open /nonexistent/ct"));
    snprintf(path, sizeof(path), "%s/AWSLogs/b", tmpdir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/empty", tmpdir);
    mkdir(path, 0700);
    assert_int_equal(read_ids(s, path, ids, sizeof(ids)), -1);
    assert_non_null(strstr(plugin_get_last_error(s), "no *.json or *.json.gz files found"));
    plugin_destroy(s);
    snprintf(path, sizeof(path), "rm -rf %s", tmpdir);
    assert_int_equal(system(path), 0);
}

/* ---- fields --------------------------------------------------------------------------------- */

static uint32_t field_id(const char *name)
{
    static cJSON *fields;
    int i = 0;

    if (fields == NULL) {
        fields = cJSON_Parse(plugin_get_fields());
        assert_non_null(fields);
        assert_int_equal(cJSON_GetArraySize(fields), 73);
    }
    for (const cJSON *f = fields->child; f != NULL; f = f->next, i++) {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(f, "name")->valuestring, name) == 0) {
            return (uint32_t)i;
        }
    }
    fail_msg("no field %s", name);
    return 0;
}

static uint8_t evbuf[65536];
static ss_plugin_event_input evin;

static void set_event(const char *payload)
{
    static uint64_t num;
    assert_true(saker_evt_build_plugin(evbuf, sizeof(evbuf), 5, CT_PLUGIN_ID, payload,
                                       (uint32_t)strlen(payload)) > 0);
    memset(&evin, 0, sizeof(evin));
    evin.evt = (const ss_plugin_event *)evbuf;
    evin.evtnum = ++num;
}

static const char *extract(ss_plugin_t *s, const char *name, int64_t index)
{
    static char out[2048];
    ss_plugin_extract_field f;
    ss_plugin_field_extract_input in;

    memset(&f, 0, sizeof(f));
    f.field_id = field_id(name);
    f.field = name;
    f.ftype = strncmp(name, "s3.bytes", 8) == 0 || strncmp(name, "s3.cnt", 6) == 0 ? FTYPE_UINT64
                                                                                   : FTYPE_STRING;
    if (index >= 0) {
        f.arg_present = 1;
        f.arg_index = (uint64_t)index;
    }
    memset(&in, 0, sizeof(in));
    in.num_fields = 1;
    in.fields = &f;
    assert_int_equal(plugin_extract_fields(s, &evin, &in), SS_PLUGIN_SUCCESS);
    if (f.res_len == 0) {
        return "<NA>";
    }
    out[0] = '\0';
    for (uint64_t i = 0; i < f.res_len; i++) {
        size_t n = strlen(out);
        if (f.ftype == FTYPE_UINT64) {
            snprintf(out + n, sizeof(out) - n, "%s%llu", i ? "|" : "",
                     (unsigned long long)f.res.u64[i]);
        } else {
            snprintf(out + n, sizeof(out) - n, "%s%s", i ? "|" : "", f.res.str[i]);
        }
    }
    return out;
}

static const char S3GET[] =
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":"
        "\"AROA1:alice-session\",\"arn\":\"arn:aws:sts::123456789012:assumed-role/Admin/"
        "alice-session\",\"accountId\":\"123456789012\",\"sessionContext\":{\"sessionIssuer\":"
        "{\"userName\":\"Admin\"}}},\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventSource\":"
        "\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"awsRegion\":\"eu-west-1\","
        "\"sourceIPAddress\":\"198.51.100.7\",\"userAgent\":\"aws-cli\",\"requestParameters\":"
        "{\"bucketName\":\"logs\",\"key\":\"a/b.txt\",\"Host\":\"logs.s3.amazonaws.com\"},"
        "\"responseElements\":null,\"additionalEventData\":{\"bytesTransferredIn\":0,"
        "\"bytesTransferredOut\":33.0},\"requestID\":\"R1\",\"eventID\":\"E1\",\"readOnly\":true,"
        "\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::logs/a/b.txt\"},"
        "{\"type\":\"AWS::S3::Bucket\"}],\"eventType\":\"AwsApiCall\",\"managementEvent\":false,"
        "\"recipientAccountId\":\"123456789012\",\"eventCategory\":\"Data\",\"tlsDetails\":"
        "{\"tlsVersion\":\"TLSv1.2\"},\"errorCode\":\"AccessDenied\"}";

static const char RUN[] =
        "{\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\",\"accountId\":\"1\"},"
        "\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventSource\":\"ec2.amazonaws.com\","
        "\"eventName\":\"RunInstances\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"bob\","
        "\"requestParameters\":{\"tagSpecificationSet\":{\"items\":[{\"resourceType\":\"volume\","
        "\"tags\":[{\"key\":\"Name\",\"value\":\"vol\"}]},{\"resourceType\":\"instance\",\"tags\":"
        "[{\"key\":\"env\",\"value\":\"x\"},{\"key\":\"Name\",\"value\":\"web-1\"}]}]},"
        "\"imageId\":\"ami-req\",\"roleName\":\"r\",\"policyName\":\"p\"},"
        "\"responseElements\":{\"instancesSet\":{\"items\":[{\"imageId\":\"ami-1\"},"
        "{\"imageId\":\"ami-2\"}]},\"reservationId\":\"r-1\"},\"eventType\":\"AwsApiCall\"}";

static void test_fields(void **state)
{
    static const struct {
        const char *doc;
        const char *field;
        int64_t index;
        const char *want;
    } cases[] = {
        { S3GET, "ct.id", -1, "E1" },
        { S3GET, "ct.error", -1, "AccessDenied" },
        { S3GET, "ct.errormessage", -1, "<NA>" },
        { S3GET, "ct.time", -1, "2024-01-01T00:00:00Z" },
        { S3GET, "ct.src", -1, "s3.amazonaws.com" },
        { S3GET, "ct.shortsrc", -1, "s3" },
        { S3GET, "ct.name", -1, "GetObject" },
        { S3GET, "ct.user", -1, "Admin" },
        { S3GET, "ct.originaluser", -1, "alice-session" },
        { S3GET, "ct.user.accountid", -1, "123456789012" },
        { S3GET, "ct.user.identitytype", -1, "AssumedRole" },
        { S3GET, "ct.user.principalid", -1, "AROA1:alice-session" },
        { S3GET, "ct.region", -1, "eu-west-1" },
        { S3GET, "ct.request.host", -1, "logs.s3.amazonaws.com" },
        { S3GET, "ct.request", -1,
          "{\"bucketName\":\"logs\",\"key\":\"a/b.txt\",\"Host\":\"logs.s3.amazonaws.com\"}" },
        { S3GET, "ct.response", -1, "null" },
        { S3GET, "ct.srcip", -1, "198.51.100.7" },
        { S3GET, "ct.useragent", -1, "aws-cli" },
        { S3GET, "ct.info", -1,
          "Admin via 198.51.100.7 !\xe2\x86\x90 GetObject Size=33 URI=s3://logs/a/b.txt" },
        { S3GET, "ct.managementevent", -1, "false" },
        { S3GET, "ct.readonly", -1, "true" },
        { S3GET, "ct.requestid", -1, "R1" },
        { S3GET, "ct.eventtype", -1, "AwsApiCall" },
        { S3GET, "ct.resources", -1,
          "{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::logs/a/b.txt\"},{\"type\":\"AWS::"
          "S3::Bucket\"}" },
        { S3GET, "ct.eventcategory", -1, "Data" },
        { S3GET, "ct.tlsdetails.tlsversion", -1, "TLSv1.2" },
        { S3GET, "ct.sessioncredentialfromconsole", -1, "false" },
        { S3GET, "ct.additionaleventdata", -1,
          "{\"bytesTransferredIn\":0,\"bytesTransferredOut\":33}" },
        { S3GET, "s3.uri", -1, "s3://logs/a/b.txt" },
        { S3GET, "s3.bucket", -1, "logs" },
        { S3GET, "s3.key", -1, "a/b.txt" },
        { S3GET, "s3.bytes", -1, "33" },
        { S3GET, "s3.bytes.in", -1, "0" },
        { S3GET, "s3.bytes.out", -1, "33" },
        { S3GET, "s3.cnt.get", -1, "1" },
        { S3GET, "s3.cnt.put", -1, "<NA>" },
        { S3GET, "s3.cnt.other", -1, "<NA>" },
        { S3GET, "ec2.imageids", -1, "<NA>" },
        { RUN, "ct.user", -1, "bob" },
        { RUN, "ct.originaluser", -1, "bob" },
        { RUN, "ct.readonly", -1, "false" },
        { RUN, "ct.info", -1, "bob \xe2\x86\x92 RunInstances" },
        { RUN, "ct.response.reservationid", -1, "r-1" },
        { RUN, "ct.user.accountid", -1, "1" },
        { RUN, "ec2.name", -1, "web-1" },
        { RUN, "ec2.imageids", -1, "ami-1|ami-2" },
        { RUN, "ec2.imageids", 1, "ami-2" },
        { RUN, "ec2.imageids", 2, "<NA>" },
        { RUN, "ec2.imageid", -1, "ami-1" },
        { RUN, "iam.role", -1, "r" },
        { RUN, "iam.policy", -1, "p" },
        { RUN, "s3.cnt.other", -1, "1" },
        { RUN, "s3.bytes", -1, "<NA>" },
        { RUN, "ct.managementevent", -1, "false" },
        { "{\"eventName\":\"DescribeInstances\",\"recipientAccountId\":\"9\"}", "ct.readonly", -1,
          "true" },
        { "{\"recipientAccountId\":\"9\"}", "ct.user.accountid", -1, "9" },
        { "{\"userIdentity\":{\"type\":\"AWSService\",\"invokedBy\":\"ec2.amazonaws.com\"}}",
          "ct.user", -1, "ec2.amazonaws.com" },
        { "{\"userIdentity\":{\"type\":\"Unknown\"}}", "ct.user", -1, "<NA>" },
        { "{\"userIdentity\":{\"type\":\"Root\"}}", "ct.info", -1,
          "<invalid cloudtrail record: no user identity>" },
        { "{\"requestParameters\":{\"imageId\":\"ami-only\"}}", "ec2.imageids", -1, "ami-only" },
        { "{\"requestParameters\":{\"DescribeFastLaunchImagesRequest\":{\"ImageId\":[{\"content\":"
          "\"ami-f1\"},{\"content\":\"ami-f2\"}]}}}",
          "ec2.imageids", -1, "ami-f1|ami-f2" },
        { "{\"sessionCredentialFromConsole\":\"true\"}", "ct.sessioncredentialfromconsole", -1,
          "true" },
        { "not json", "ct.id", -1, "<NA>" },
    };
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got;
        set_event(cases[i].doc);
        got = extract(s, cases[i].field, cases[i].index);
        if (strcmp(got, cases[i].want) != 0) {
            fail_msg("case %zu %s: got '%s', want '%s'", i, cases[i].field, got, cases[i].want);
        }
    }
    set_event(S3GET);
    assert_string_equal(plugin_event_to_string(s, &evin),
                        "eu-west-1 Admin s3 GetObject Admin via 198.51.100.7 !\xe2\x86\x90 "
                        "GetObject Size=33 URI=s3://logs/a/b.txt");
    plugin_destroy(s);
}

static void test_config(void **state)
{
    static const struct {
        const char *config;
        const char *err;
    } cases[] = {
        { "", NULL },
        { "{\"sqsDelete\":false,\"s3DownloadConcurrency\":4,\"aws\":{\"region\":\"x\"},\"z\":1}",
          NULL },
        { "{\"sqsDelete\":\"no\"}", "\"sqsDelete\" must be true or false" },
        { "{\"s3DownloadConcurrency\":\"4\"}", "\"s3DownloadConcurrency\" must be a number" },
        { "{\"aws\":[]}", "\"aws\" must be an object" },
        { "nope", "not a JSON object" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ss_plugin_rc rc;
        ss_plugin_t *s = init_with(cases[i].config, &rc);
        if (cases[i].err == NULL) {
            assert_int_equal(rc, SS_PLUGIN_SUCCESS);
        } else {
            assert_int_equal(rc, SS_PLUGIN_FAILURE);
            if (strstr(plugin_get_last_error(s), cases[i].err) == NULL) {
                fail_msg("case %zu: got '%s'", i, plugin_get_last_error(s));
            }
        }
        plugin_destroy(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
