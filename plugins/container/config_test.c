/* SPDX-License-Identifier: Apache-2.0 */
/* The init config: defaults, every key, and errors that name the key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "matcher.h"

static void defaults(void **state)
{
    struct ctr_config c;
    char err[256];

    unsetenv("HOST_ROOT");
    assert_int_equal(ctr_config_parse(&c, "", err, sizeof(err)), 0);
    assert_int_equal(c.label_max_len, 100);
    assert_false(c.with_size);
    assert_true(c.hook_create);
    assert_false(c.hook_start);
    assert_string_equal(c.host_root, "");
    assert_int_equal(c.lookup_timeout_ms, 1000);
    assert_true(c.docker.enabled);
    assert_int_equal(c.docker.n_sockets, 0);
    assert_false(c.static_enabled);
    assert_int_equal(ctr_config_engine_mask(&c), CTR_ENGINE_PODMAN | CTR_ENGINE_DOCKER |
                                                         CTR_ENGINE_CRI | CTR_ENGINE_CONTAINERD |
                                                         CTR_ENGINE_LXC | CTR_ENGINE_LIBVIRT_LXC |
                                                         CTR_ENGINE_BPM);
    ctr_config_fini(&c);
    setenv("HOST_ROOT", "/host", 1);
    assert_int_equal(ctr_config_parse(&c, NULL, err, sizeof(err)), 0);
    assert_string_equal(c.host_root, "/host");
    ctr_config_fini(&c);
    unsetenv("HOST_ROOT");
}

static void every_key(void **state)
{
    struct ctr_config c;
    char err[256];
    const char *text =
            "{\"label_max_len\":20,\"with_size\":true,\"hooks\":[\"start\",\"remove\"],"
            "\"host_root\":\"/h\",\"log_level\":\"debug\",\"lookup_timeout_ms\":250,"
            "\"max_containers\":64,"
            "\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"/a.sock\",\"/b.sock\"]},"
            "\"podman\":{\"enabled\":false,\"sockets\":[]},\"cri\":{\"enabled\":false,"
            "\"sockets\":[]},\"containerd\":{\"enabled\":true,\"sockets\":[]},"
            "\"lxc\":{\"enabled\":false},\"libvirt_lxc\":{\"enabled\":false},"
            "\"bpm\":{\"enabled\":true},\"static\":{\"enabled\":false,\"container_id\":\"\","
            "\"container_name\":\"\",\"container_image\":\"\"}}}";

    assert_int_equal(ctr_config_parse(&c, text, err, sizeof(err)), 0);
    assert_int_equal(c.label_max_len, 20);
    assert_true(c.with_size);
    assert_false(c.hook_create);
    assert_true(c.hook_start);
    assert_true(c.hook_remove);
    assert_string_equal(c.host_root, "/h");
    assert_int_equal(c.log_level, SS_PLUGIN_LOG_SEV_DEBUG);
    assert_int_equal(c.lookup_timeout_ms, 250);
    assert_int_equal(c.max_containers, 64);
    assert_int_equal(c.docker.n_sockets, 2);
    assert_string_equal(c.docker.sockets[1], "/b.sock");
    assert_int_equal(ctr_config_engine_mask(&c),
                     CTR_ENGINE_DOCKER | CTR_ENGINE_CONTAINERD | CTR_ENGINE_BPM);
    ctr_config_fini(&c);
}

static void static_engine(void **state)
{
    struct ctr_config c;
    char err[256];

    assert_int_equal(
            ctr_config_parse(&c,
                             "{\"engines\":{\"static\":{\"enabled\":true,\"container_id\""
                             ":\"x\",\"container_name\":\"n\",\"container_image\":\"i\"}}}",
                             err, sizeof(err)),
            0);
    assert_int_equal(ctr_config_engine_mask(&c), CTR_ENGINE_STATIC);
    assert_string_equal(c.static_id, "x");
    ctr_config_fini(&c);
}

static void errors_name_the_key(void **state)
{
    static const struct {
        const char *text;
        const char *needle;
    } cases[] = {
        { "{", "not valid JSON" },
        { "[]", "must be a JSON object" },
        { "{\"labels\":1}", "unknown key 'labels'" },
        { "{\"label_max_len\":\"x\"}", "'label_max_len' must be an integer" },
        { "{\"label_max_len\":-1}", "'label_max_len' must be an integer" },
        { "{\"with_size\":1}", "'with_size' must be true or false (got a number)" },
        { "{\"hooks\":[\"stop\"]}", "'hooks' items" },
        { "{\"hooks\":\"create\"}", "'hooks' must be an array" },
        { "{\"log_level\":\"loud\"}", "'log_level' must be one of" },
        { "{\"lookup_timeout_ms\":0}", "'lookup_timeout_ms' must be an integer from 1" },
        { "{\"engines\":[]}", "'engines' must be an object" },
        { "{\"engines\":{\"docker\":{\"enabled\":\"yes\"}}}",
          "'engines.docker.enabled' must be true or false" },
        { "{\"engines\":{\"docker\":{\"sockets\":[1]}}}", "'engines.docker.sockets' must be" },
        { "{\"engines\":{\"docker\":{\"socket\":[]}}}", "unknown key 'engines.docker.socket'" },
        { "{\"engines\":{\"lxc\":{\"on\":true}}}", "unknown key 'engines.lxc.on'" },
        { "{\"engines\":{\"static\":{\"enabled\":true}}}", "lacks container_id" },
        { "{\"engines\":{\"static\":{\"enabled\":true,\"container_id\":\"\",\"container_name\":"
          "\"n\",\"container_image\":\"i\"}}}",
          "lacks container_id" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ctr_config c;
        char err[256] = "";
        int rc = ctr_config_parse(&c, cases[i].text, err, sizeof(err));
        ctr_config_fini(&c);
        if (rc == 0 || strstr(err, cases[i].needle) == NULL) {
            fail_msg("config %s: expected an error with \"%s\", got rc %d \"%s\"", cases[i].text,
                     cases[i].needle, rc, err);
        }
    }
}

static void schema_is_a_json_object(void **state)
{
    cJSON *s = cJSON_Parse(ctr_config_schema());

    assert_non_null(s);
    assert_true(cJSON_IsObject(s));
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "properties"), "engines"));
    cJSON_Delete(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(every_key),
        cmocka_unit_test(static_engine),
        cmocka_unit_test(errors_name_the_key),
        cmocka_unit_test(schema_is_a_json_object),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
