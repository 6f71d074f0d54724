/* SPDX-License-Identifier: Apache-2.0 */
/* The json plugin through its exported symbols, without a host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <saker/plugin_api.h>
#include <saker/sdk.h>

#include "kit/jsonkit.h"

const char *plugin_get_fields(void);
ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *s);
const char *plugin_get_last_error(ss_plugin_t *s);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *s,
                                   const ss_plugin_event_input *ev,
                                   const ss_plugin_field_extract_input *in);
uint16_t *plugin_get_extract_event_types(uint32_t *numtypes, ss_plugin_t *s);

static ss_plugin_t *init_with(const char *config, ss_plugin_rc *rc)
{
    ss_plugin_init_input in;

    memset(&in, 0, sizeof(in));
    in.config = config;
    return plugin_init(&in, rc);
}

static void test_fields_order(void **state)
{
    static const char *names[] = { "json.value", "json.obj", "json.rawtime",
                                   "jevt.value", "jevt.obj", "jevt.rawtime" };
    cJSON *arr = cJSON_Parse(plugin_get_fields());
    (void)state;

    assert_non_null(arr);
    assert_int_equal(cJSON_GetArraySize(arr), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *f = cJSON_GetArrayItem(arr, i);
        const cJSON *arg = cJSON_GetObjectItemCaseSensitive(f, "arg");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(f, "name")->valuestring, names[i]);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(f, "type")->valuestring, "string");
        if (i == 0 || i == 3) {
            assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(arg, "isRequired")));
            assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(arg, "isKey")));
        } else {
            assert_null(arg);
        }
    }
    cJSON_Delete(arr);
}

static void test_init_config(void **state)
{
    static const struct {
        const char *config;
        ss_plugin_rc rc;
        const char *err;
    } cases[] = {
        { NULL, SS_PLUGIN_SUCCESS, NULL },
        { "", SS_PLUGIN_SUCCESS, NULL },
        { "{}", SS_PLUGIN_SUCCESS, NULL },
        { "{\"useAsync\":false,\"other\":1}", SS_PLUGIN_SUCCESS, NULL },
        { "{\"useAsync\":\"yes\"}", SS_PLUGIN_FAILURE, "\"useAsync\" must be true or false" },
        { "[1]", SS_PLUGIN_FAILURE, "not a JSON object" },
        { "{bad", SS_PLUGIN_FAILURE, "not a JSON object" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ss_plugin_rc rc;
        ss_plugin_t *s = init_with(cases[i].config, &rc);
        assert_non_null(s);
        assert_int_equal(rc, cases[i].rc);
        if (cases[i].err != NULL) {
            assert_non_null(strstr(plugin_get_last_error(s), cases[i].err));
        }
        plugin_destroy(s);
    }
}

/* Extracts one field of a plugin event carrying payload; returns res_len. */
static uint64_t extract(ss_plugin_t *s,
                        uint64_t evtnum,
                        uint64_t ts,
                        const char *payload,
                        uint32_t field_id,
                        const char *arg,
                        ss_plugin_extract_field *out)
{
    static uint8_t buf[4096];
    ss_plugin_event_input ev;
    ss_plugin_field_extract_input in;

    assert_true(saker_evt_build_plugin(buf, sizeof(buf), ts, 1, payload,
                                       (uint32_t)strlen(payload)) > 0);
    memset(&ev, 0, sizeof(ev));
    ev.evt = (const ss_plugin_event *)buf;
    ev.evtnum = evtnum;
    ev.evtsrc = "k8s_audit";
    memset(out, 0, sizeof(*out));
    out->field_id = field_id;
    out->field = "json.field";
    out->arg_key = arg;
    out->arg_present = arg != NULL;
    out->ftype = FTYPE_STRING;
    memset(&in, 0, sizeof(in));
    in.num_fields = 1;
    in.fields = out;
    assert_int_equal(plugin_extract_fields(s, &ev, &in), SS_PLUGIN_SUCCESS);
    return out->res_len;
}

static void test_extract(void **state)
{
    static const char doc[] = "{\"stage\":\"ResponseComplete\",\"n\":200,\"o\":{\"k\":[1,2]}}";
    ss_plugin_extract_field f;
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with("", &rc);
    (void)state;

    assert_int_equal(extract(s, 1, 42, doc, 0, "/stage", &f), 1);
    assert_string_equal(f.res.str[0], "ResponseComplete");
    assert_int_equal(extract(s, 1, 42, doc, 3, "/n", &f), 1);
    assert_string_equal(f.res.str[0], "200");
    assert_int_equal(extract(s, 1, 42, doc, 0, "/o", &f), 1);
    assert_string_equal(f.res.str[0], "{\"k\":[1,2]}");
    assert_int_equal(extract(s, 1, 42, doc, 0, "/nope", &f), 0);
    assert_int_equal(extract(s, 1, 42, doc, 0, NULL, &f), 0);
    assert_int_equal(extract(s, 1, 42, doc, 2, NULL, &f), 1);
    assert_string_equal(f.res.str[0], "42");
    assert_int_equal(extract(s, 1, 42, doc, 5, NULL, &f), 1);
    assert_string_equal(f.res.str[0], "42");
    assert_int_equal(extract(s, 2, 7, "{\"value\":\"hello\"}", 4, NULL, &f), 1);
    assert_string_equal(f.res.str[0], "{\n  \"value\": \"hello\"\n}");
    /* a payload that is not JSON yields no value for any field */
    for (uint32_t id = 0; id < 6; id++) {
        assert_int_equal(extract(s, 3, 7, "plain text", id, "/x", &f), 0);
        assert_int_equal(extract(s, 4, 7, "{\"broken\":", id, "/x", &f), 0);
    }
    /* unknown field ids are simply absent */
    assert_int_equal(extract(s, 2, 7, "{\"value\":\"hello\"}", 99, NULL, &f), 0);
    plugin_destroy(s);
}

static void test_event_types(void **state)
{
    uint32_t n = 0;
    ss_plugin_rc rc;
    ss_plugin_t *s = init_with(NULL, &rc);
    uint16_t *types = plugin_get_extract_event_types(&n, s);
    (void)state;

    assert_int_equal(n, 1);
    assert_int_equal(types[0], PPME_PLUGINEVENT_E);
    plugin_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_order),
        cmocka_unit_test(test_init_config),
        cmocka_unit_test(test_extract),
        cmocka_unit_test(test_event_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
