/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <saker/sdk.h>

static void plugin_event_roundtrip(void **state)
{
    uint8_t buf[128];
    const char payload[] = "hello";
    uint32_t n = saker_evt_build_plugin(buf, sizeof(buf), 42, 999, payload, sizeof(payload));
    const ss_plugin_event *evt = (const ss_plugin_event *)buf;
    uint32_t id = 0;
    const uint8_t *data;
    uint32_t len;

    assert_int_equal(n, PLUGIN_EVENT_PAYLOAD_OFFSET + sizeof(payload));
    assert_int_equal(evt->len, n);
    assert_int_equal(evt->type, 322);
    assert_int_equal(evt->nparams, 2);
    assert_int_equal(saker_evt_plugin_payload(evt, &id, &data, &len), 0);
    assert_int_equal(id, 999);
    assert_int_equal(len, sizeof(payload));
    assert_memory_equal(data, payload, sizeof(payload));
    assert_ptr_equal(data, buf + PLUGIN_EVENT_PAYLOAD_OFFSET);
    assert_int_equal(saker_evt_build_plugin(buf, 20, 1, 1, payload, sizeof(payload)), 0);
}

static void truncated_events_are_rejected(void **state)
{
    uint8_t buf[64];
    const void *data[2] = { "ab", "cde" };
    uint32_t lens[2] = { 3, 4 };
    uint32_t n = saker_evt_build(buf, sizeof(buf), 1, 7, 306, 2, data, lens);
    ss_plugin_event *evt = (ss_plugin_event *)buf;
    const uint8_t *p;
    uint32_t len;

    assert_int_equal(n, 26 + 4 + 7);
    assert_int_equal(saker_evt_param(evt, 1, &p, &len), 0);
    assert_string_equal((const char *)p, "cde");
    assert_int_equal(saker_evt_param(evt, 2, &p, &len), -1);
    evt->len = 30 + 5; /* cuts the second parameter */
    assert_int_equal(saker_evt_param(evt, 1, &p, &len), -1);
    assert_int_equal(saker_evt_param(evt, 0, &p, &len), 0);
    evt->len = 20; /* shorter than a header */
    assert_int_equal(saker_evt_param(evt, 0, &p, &len), -1);
    evt->len = n;
    evt->nparams = 1000; /* length words run past the end */
    assert_int_equal(saker_evt_param(evt, 0, &p, &len), -1);
}

static void store_lists_keep_earlier_values(void **state)
{
    struct saker_store s;
    ss_plugin_extract_field f;

    saker_store_init(&s);
    memset(&f, 0, sizeof(f));
    for (int i = 0; i < 1000; i++) {
        char v[16];
        int n = snprintf(v, sizeof(v), "v%d", i);
        assert_int_equal(saker_field_add_str(&s, &f, v, (size_t)n, 5000), 0);
    }
    assert_int_equal(f.res_len, 1000);
    assert_string_equal(f.res.str[0], "v0");
    assert_string_equal(f.res.str[999], "v999");
    assert_int_equal(saker_field_add_str(&s, &f, "x", 1, 1000), -1);
    saker_store_reset(&s);
    memset(&f, 0, sizeof(f));
    assert_int_equal(saker_field_set_u64(&s, &f, 77), 0);
    assert_int_equal(f.res.u64[0], 77);
    saker_store_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plugin_event_roundtrip),
        cmocka_unit_test(truncated_events_are_rejected),
        cmocka_unit_test(store_lists_keep_earlier_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
