/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "plugin/plugin.h"
#include "util/log.h"

/* ---- A plugin in memory ---------------------------------------------------------------- */

struct tstate {
    char err[256];
    const ss_plugin_init_tables_input *tables;
    ss_plugin_owner_t *owner;
};

static const char *api_version = "3.11.0";
static const char *fields_json =
        "[{\"name\":\"tp.n\",\"type\":\"uint64\",\"desc\":\"a number\"},"
        "{\"name\":\"tp.tag\",\"type\":\"string\",\"desc\":\"tags\",\"isList\":true,"
        "\"arg\":{\"isIndex\":true}},"
        "{\"name\":\"tp.arg\",\"type\":\"string\",\"desc\":\"dotted\",\"arg\":{\"isRequired\":"
        "true,\"isKey\":true,\"isDotted\":true},\"properties\":[\"no_rhs\",\"info\"]},"
        "{\"name\":\"tp.port\",\"type\":\"port\",\"desc\":\"a port\",\"properties\":["
        "\"filter_only\",\"hidden\"]}]";
static const char *init_fail_msg;
static const char *schema_text;

static const char *t_req_api(void)
{
    return api_version;
}
static const char *t_name(void)
{
    return "tp";
}
static const char *t_desc(void)
{
    return "test plugin";
}
static const char *t_contact(void)
{
    return "nobody";
}
static const char *t_version(void)
{
    return "1.2.3";
}
static uint32_t t_id(void)
{
    return 500;
}
static const char *t_source(void)
{
    return "tp";
}
static const char *t_syscall_source(void)
{
    return "syscall";
}
static const char *t_fields(void)
{
    return fields_json;
}
static const char *t_schema(ss_plugin_schema_type *t)
{
    *t = SS_PLUGIN_SCHEMA_JSON;
    return schema_text;
}

static ss_plugin_t *t_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct tstate *s = calloc(1, sizeof(*s));

    s->tables = in->tables;
    s->owner = in->owner;
    if (init_fail_msg != NULL) {
        snprintf(s->err, sizeof(s->err), "%s", init_fail_msg);
        *rc = SS_PLUGIN_FAILURE;
        return s;
    }
    *rc = SS_PLUGIN_SUCCESS;
    return s;
}
static void t_destroy(ss_plugin_t *s)
{
    free(s);
}
static const char *t_last_error(ss_plugin_t *s)
{
    return ((struct tstate *)s)->err;
}
static ss_instance_t *t_open(ss_plugin_t *s, const char *p, ss_plugin_rc *rc)
{
    *rc = SS_PLUGIN_FAILURE;
    return NULL;
}
static void t_close(ss_plugin_t *s, ss_instance_t *h)
{
}
static ss_plugin_rc t_next(ss_plugin_t *s, ss_instance_t *h, uint32_t *n, ss_plugin_event ***e)
{
    return SS_PLUGIN_EOF;
}
static ss_plugin_rc t_extract(ss_plugin_t *s,
                              const ss_plugin_event_input *e,
                              const ss_plugin_field_extract_input *in)
{
    return SS_PLUGIN_SUCCESS;
}
static uint16_t t_types[] = { 322, 402 };
static uint16_t *t_extract_types(uint32_t *n, ss_plugin_t *s)
{
    *n = 2;
    return t_types;
}
static const char *t_ext_version(void)
{
    return "1.0.0";
}
static ss_plugin_rc t_set_interest(ss_plugin_t *s, const saker_event_interest *in)
{
    return SS_PLUGIN_SUCCESS;
}

static struct skr_plugin_vtable base_vt(void)
{
    struct skr_plugin_vtable vt;

    memset(&vt, 0, sizeof(vt));
    vt.api.get_required_api_version = t_req_api;
    vt.api.init = t_init;
    vt.api.destroy = t_destroy;
    vt.api.get_last_error = t_last_error;
    vt.api.get_name = t_name;
    vt.api.get_description = t_desc;
    vt.api.get_contact = t_contact;
    vt.api.get_version = t_version;
    vt.api.get_id = t_id;
    vt.api.get_event_source = t_source;
    vt.api.open = t_open;
    vt.api.close = t_close;
    vt.api.next_batch = t_next;
    vt.api.get_fields = t_fields;
    vt.api.extract_fields = t_extract;
    vt.api.get_extract_event_types = t_extract_types;
    return vt;
}

static void reset(void)
{
    api_version = "3.11.0";
    init_fail_msg = NULL;
    schema_text = NULL;
    fields_json = "[{\"name\":\"tp.n\",\"type\":\"uint64\",\"desc\":\"a number\"},"
                  "{\"name\":\"tp.tag\",\"type\":\"string\",\"desc\":\"tags\",\"isList\":true,"
                  "\"arg\":{\"isIndex\":true}},"
                  "{\"name\":\"tp.arg\",\"type\":\"string\",\"desc\":\"dotted\",\"arg\":{"
                  "\"isRequired\":true,\"isKey\":true,\"isDotted\":true},\"properties\":["
                  "\"no_rhs\",\"info\"]},"
                  "{\"name\":\"tp.port\",\"type\":\"port\",\"desc\":\"a port\",\"properties\":["
                  "\"filter_only\",\"hidden\"]}]";
}

/* ---- Loading ---------------------------------------------------------------------------- */

static void loads_and_reads_documents(void **state)
{
    struct skr_plugin_vtable vt = base_vt();
    struct skr_err err;
    struct skr_plugin *p;

    (void)state;
    reset();
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_non_null(p);
    assert_int_equal(p->caps, SKR_CAP_SOURCING | SKR_CAP_EXTRACTION);
    assert_int_equal(p->id, 500);
    assert_string_equal(p->source, "tp");
    assert_int_equal(p->num_fields, 4);
    assert_int_equal(p->fields[1].flags, SKR_PF_LIST);
    assert_int_equal(p->fields[1].arg_flags, SKR_PA_ALLOWED | SKR_PA_INDEX);
    assert_int_equal(p->fields[2].arg_flags,
                     SKR_PA_ALLOWED | SKR_PA_REQUIRED | SKR_PA_KEY | SKR_PA_DOTTED);
    assert_int_equal(p->fields[2].flags, SKR_PF_NO_RHS);
    assert_int_equal(p->fields[3].type, SAKER_FTYPE_PORT);
    assert_int_equal(p->fields[3].flags, SKR_PF_FILTER_ONLY | SKR_PF_HIDDEN);
    /* no declared extract sources: only its own source */
    assert_int_equal(p->extract_sources.n, 1);
    assert_true(skr_plugin_extracts(p, "tp"));
    assert_false(skr_plugin_extracts(p, "syscall"));
    skr_plugin_free(p);
}

struct load_case {
    const char *what;
    void (*mutate)(struct skr_plugin_vtable *vt);
    const char *want;
};

static void m_api_major(struct skr_plugin_vtable *vt)
{
    api_version = "4.0.0";
}
static void m_api_newer(struct skr_plugin_vtable *vt)
{
    api_version = "3.13.0";
}
static void m_api_garbage(struct skr_plugin_vtable *vt)
{
    api_version = "three";
}
static void m_no_api(struct skr_plugin_vtable *vt)
{
    vt->api.get_required_api_version = NULL;
}
static void m_no_name(struct skr_plugin_vtable *vt)
{
    vt->api.get_name = NULL;
}
static void m_no_last_error(struct skr_plugin_vtable *vt)
{
    vt->api.get_last_error = NULL;
}
static void m_half_source(struct skr_plugin_vtable *vt)
{
    vt->api.next_batch = NULL;
}
static void m_id_no_source(struct skr_plugin_vtable *vt)
{
    vt->api.get_event_source = NULL;
}
static void m_reserved(struct skr_plugin_vtable *vt)
{
    vt->api.get_event_source = t_syscall_source;
}
static void m_extract_no_fields(struct skr_plugin_vtable *vt)
{
    vt->api.get_fields = NULL;
}
static void m_nothing(struct skr_plugin_vtable *vt)
{
    vt->api.open = NULL;
    vt->api.close = NULL;
    vt->api.next_batch = NULL;
    vt->api.get_fields = NULL;
    vt->api.extract_fields = NULL;
}
static void m_bad_type(struct skr_plugin_vtable *vt)
{
    fields_json = "[{\"name\":\"a.b\",\"type\":\"quaternion\",\"desc\":\"x\"}]";
}
static void m_no_desc(struct skr_plugin_vtable *vt)
{
    fields_json = "[{\"name\":\"a.b\",\"type\":\"string\"}]";
}
static void m_bad_arg(struct skr_plugin_vtable *vt)
{
    fields_json = "[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"x\",\"arg\":{"
                  "\"isRequired\":true}}]";
}
static void m_not_json(struct skr_plugin_vtable *vt)
{
    fields_json = "[{";
}
static void m_dup_field(struct skr_plugin_vtable *vt)
{
    fields_json = "[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"x\"},"
                  "{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"y\"}]";
}
static void m_ext_no_version(struct skr_plugin_vtable *vt)
{
    vt->set_event_interest = t_set_interest;
}
static ss_plugin_rc t_set_prefilter(ss_plugin_t *s, const saker_prefilter *pf)
{
    (void)s;
    (void)pf;
    return SS_PLUGIN_SUCCESS;
}
static void m_half_prefilter(struct skr_plugin_vtable *vt)
{
    vt->get_required_saker_ext_version = t_ext_version;
    vt->set_prefilter = t_set_prefilter;
}
static void m_bad_version(struct skr_plugin_vtable *vt)
{
    vt->api.get_version = t_name;
}

static void load_errors(void **state)
{
    static const struct load_case cases[] = {
        { "major", m_api_major,
          "requires plugin API 4.0.0, but Saker offers 3.12.0 and the "
          "major versions differ" },
        { "newer", m_api_newer, "requires plugin API 3.13.0, newer than the 3.12.0" },
        { "garbage", m_api_garbage, "returned 'three', not a version M.m.p" },
        { "no api", m_no_api, "required symbol plugin_get_required_api_version is not exported" },
        { "no name", m_no_name, "required symbol plugin_get_name is not exported" },
        { "no last error", m_no_last_error, "required symbol plugin_get_last_error" },
        { "half source", m_half_source,
          "broken plugin capabilities: sourcing needs plugin_open, plugin_close and "
          "plugin_next_batch" },
        { "id no source", m_id_no_source,
          "broken plugin capabilities: a plugin ID without an event source name" },
        { "reserved", m_reserved, "event source name 'syscall' is reserved" },
        { "extract no fields", m_extract_no_fields, "extraction needs plugin_get_fields" },
        { "nothing", m_nothing, "implements no capability" },
        { "bad type", m_bad_type, "plugin_get_fields: field 'a.b': unknown type 'quaternion'" },
        { "no desc", m_no_desc, "field 'a.b': \"desc\" is missing or empty" },
        { "bad arg", m_bad_arg, "a required argument must be an index or a key" },
        { "not json", m_not_json, "did not return a non-empty JSON array of fields" },
        { "dup field", m_dup_field, "field 'a.b' is listed twice" },
        { "ext no version", m_ext_no_version,
          "exports Saker extension symbols but not plugin_get_required_saker_ext_version" },
        { "bad version", m_bad_version, "plugin_get_version returned 'tp', not a version" },
        { "half prefilter", m_half_prefilter,
          "exports only one of plugin_get_prefilter_fields and plugin_set_prefilter" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct skr_plugin_vtable vt = base_vt();
        struct skr_err err;
        struct skr_plugin *p;

        reset();
        cases[i].mutate(&vt);
        skr_err_clear(&err);
        p = skr_plugin_load_vtable(&vt, "cfgname", &err);
        if (p != NULL || strstr(err.msg, cases[i].want) == NULL ||
            strstr(err.msg, "plugin 'cfgname' (<memory>): ") != err.msg) {
            fail_msg("case %s: got '%s', want '%s'", cases[i].what, err.msg, cases[i].want);
        }
    }
    reset();
}

static void ext_version_checked(void **state)
{
    struct skr_plugin_vtable vt = base_vt();
    struct skr_err err;
    struct skr_plugin *p;

    (void)state;
    reset();
    vt.set_event_interest = t_set_interest;
    vt.get_required_saker_ext_version = t_ext_version;
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_non_null(p);
    skr_plugin_free(p);
}

static void dlopen_errors(void **state)
{
    struct skr_err err;
    char path[] = "/tmp/saker-plugin-test-XXXXXX";
    int fd;

    (void)state;
    assert_null(skr_plugin_open("ghost", "/nonexistent/libghost.so", &err));
    assert_non_null(
            strstr(err.msg, "plugin 'ghost': cannot load library /nonexistent/libghost.so"));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not an elf file at all\n", 23), 23);
    close(fd);
    assert_null(skr_plugin_open("text", path, &err));
    assert_non_null(strstr(err.msg, "plugin 'text': cannot load library"));
    unlink(path);
}

/* ---- Instances ----------------------------------------------------------------------- */

static void init_failure_carries_message(void **state)
{
    struct skr_plugin_vtable vt = base_vt();
    struct skr_plugin_inst inst;
    struct skr_err err;
    struct skr_plugin *p;

    (void)state;
    reset();
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_non_null(p);
    init_fail_msg = "cannot reach the moon";
    assert_int_equal(skr_plugin_inst_init(&inst, p, "", NULL, &err), -EINVAL);
    assert_string_equal(err.msg, "plugin 'tp': plugin_init failed: cannot reach the moon");
    init_fail_msg = NULL;
    assert_int_equal(skr_plugin_inst_init(&inst, p, "", NULL, &err), 0);
    /* declared extract types: 322 and 402 only */
    assert_false(inst.extract_all);
    assert_true(skr_inst_extracts_type(&inst, 322));
    assert_true(skr_inst_extracts_type(&inst, 402));
    assert_false(skr_inst_extracts_type(&inst, 3));
    skr_plugin_inst_fini(&inst);
    skr_plugin_free(p);
}

static void init_config_schema(void **state)
{
    struct skr_plugin_vtable vt = base_vt();
    struct skr_plugin_inst inst;
    struct skr_err err;
    struct skr_plugin *p;

    (void)state;
    reset();
    schema_text = "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"$ref\":"
                  "\"#/definitions/Cfg\",\"definitions\":{\"Cfg\":{\"type\":\"object\","
                  "\"properties\":{\"size\":{\"type\":\"integer\",\"minimum\":1},\"mode\":{"
                  "\"enum\":[\"a\",\"b\"]}},\"additionalProperties\":false}}}";
    vt.api.get_init_schema = t_schema;
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_non_null(p);
    assert_int_equal(skr_plugin_inst_init(&inst, p, "{\"size\":\"big\"}", NULL, &err), -EINVAL);
    assert_string_equal(err.msg, "plugin 'tp': init config: /size: expected an integer, got "
                                 "string: fix init_config");
    assert_int_equal(skr_plugin_inst_init(&inst, p, "{\"colour\":1}", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "unknown property 'colour'"));
    assert_int_equal(skr_plugin_inst_init(&inst, p, "{\"mode\":\"c\"}", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "/mode: \"c\" is not one of the allowed values"));
    assert_int_equal(skr_plugin_inst_init(&inst, p, "not json", NULL, &err), -EINVAL);
    assert_non_null(strstr(err.msg, "init config is not valid JSON"));
    /* empty config becomes {} and passes */
    assert_int_equal(skr_plugin_inst_init(&inst, p, "", NULL, &err), 0);
    assert_string_equal(inst.config, "{}");
    skr_plugin_inst_fini(&inst);
    assert_int_equal(skr_plugin_inst_init(&inst, p, "{\"size\":4,\"mode\":\"b\"}", NULL, &err), 0);
    skr_plugin_inst_fini(&inst);
    skr_plugin_free(p);
}

static void schema_keywords(void **state)
{
    static const struct {
        const char *schema;
        const char *config;
        bool ok;
    } cases[] = {
        { "{\"type\":\"object\",\"required\":[\"a\"]}", "{}", false },
        { "{\"type\":\"object\",\"required\":[\"a\"]}", "{\"a\":1}", true },
        { "{\"properties\":{\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
          "\"maxItems\":2}}}",
          "{\"l\":[\"x\",1]}", false },
        { "{\"properties\":{\"l\":{\"type\":\"array\",\"maxItems\":1}}}", "{\"l\":[1,2]}", false },
        { "{\"properties\":{\"s\":{\"type\":\"string\",\"minLength\":3}}}", "{\"s\":\"ab\"}",
          false },
        { "{\"properties\":{\"n\":{\"type\":[\"integer\",\"null\"]}}}", "{\"n\":null}", true },
        { "{\"properties\":{\"n\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}}}",
          "{\"n\":true}", false },
        { "{\"properties\":{\"n\":{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}}}",
          "{\"n\":1}", false },
        { "{\"properties\":{\"n\":{\"not\":{\"type\":\"string\"}}}}", "{\"n\":\"x\"}", false },
        { "{\"additionalProperties\":{\"type\":\"boolean\"}}", "{\"x\":true,\"y\":2}", false },
        { "{\"$defs\":{\"p\":{\"exclusiveMaximum\":10}},\"properties\":{\"n\":{\"$ref\":"
          "\"#/$defs/p\"}}}",
          "{\"n\":10}", false },
        { "{\"$ref\":\"#/nowhere\"}", "{}", false },
    };
    struct skr_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = skr_json_schema_validate(cases[i].schema, cases[i].config, &err);
        if ((rc == 0) != cases[i].ok) {
            fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
        }
    }
}

/* ---- Registry ------------------------------------------------------------------------- */

static void registry_lookup_and_collisions(void **state)
{
    struct skr_plugin_vtable vt = base_vt();
    struct skr_registry *r = skr_registry_new();
    struct skr_err err;
    struct skr_plugin *p;
    struct skr_plugin *q;
    const struct skr_field *f;
    size_t nl;
    struct skr_strbuf out;

    (void)state;
    reset();
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_non_null(p);
    assert_int_equal(skr_registry_add_source(r, "tp", &err), 0);
    assert_int_equal(skr_registry_add_plugin(r, "tp", p, 0, &err), 0);
    f = skr_registry_lookup(r, "tp", "evt.num", 7, &nl);
    assert_non_null(f);
    assert_int_equal(f->owner, SKR_FIELD_GENERIC);
    assert_int_equal(f->generic, SKR_GEN_EVT_NUM);
    f = skr_registry_lookup(r, "tp", "tp.arg.some.key", 15, &nl);
    assert_non_null(f);
    assert_int_equal(nl, 6);
    assert_string_equal(f->f->name, "tp.arg");
    assert_int_equal(f->plugin_field, 2);
    assert_null(skr_registry_lookup(r, "tp", "tp.n.x", 6, &nl)); /* not dotted */
    assert_null(skr_registry_lookup(r, "tp", "tp.nope", 7, &nl));
    assert_null(skr_registry_lookup(r, "other", "evt.num", 7, &nl));
    /* a second plugin defining evt.num collides with the core */
    fields_json = "[{\"name\":\"evt.num\",\"type\":\"uint64\",\"desc\":\"x\"}]";
    q = skr_plugin_load_vtable(&vt, "tp2", &err);
    assert_non_null(q);
    assert_int_equal(skr_registry_add_plugin(r, "tp", q, 1, &err), -EEXIST);
    assert_string_equal(err.msg, "field 'evt.num' of source 'tp' is defined by both the core "
                                 "and plugin 'tp': load only one of them");
    {
        struct skr_event_type et[] = { { "open", 2, '>', 0 },
                                       { "open", 3, '<', 0 },
                                       { "close", 4, '>', 0 } };
        uint16_t codes[4];
        assert_int_equal(skr_registry_add_event_types(r, "tp", et, 3, &err), 0);
        assert_int_equal(skr_registry_event_codes(r, "tp", "open", codes, 4), 2);
        assert_int_equal(codes[1], 3);
        assert_int_equal(skr_registry_event_codes(r, "tp", "nope", codes, 4), 0);
    }
    skr_strbuf_init(&out);
    assert_int_equal(skr_registry_list(r, NULL, true, &out), 0);
    assert_non_null(strstr(out.p, "{\"source\":\"tp\",\"plugin\":\"tp\",\"name\":\"tp.arg\","
                                  "\"type\":\"string\",\"desc\":\"dotted\",\"list\":false,"
                                  "\"arg\":{\"required\":true,\"index\":false,\"key\":true,"
                                  "\"dotted\":true},\"properties\":[\"no_rhs\",\"info\"]}"));
    assert_non_null(strstr(out.p, "\"event_types\":{\"tp\":[{\"name\":\"open\",\"code\":2,"
                                  "\"dir\":\">\"}"));
    skr_strbuf_reset(&out);
    assert_int_equal(skr_registry_list(r, "tp", false, &out), 0);
    assert_non_null(strstr(out.p, "tp.tag[INDEX]"));
    assert_null(strstr(out.p, "tp.port")); /* hidden */
    assert_int_equal(skr_registry_list(r, "nope", false, &out), -ENOENT);
    skr_strbuf_fini(&out);
    skr_registry_free(r);
    skr_plugin_free(q);
    skr_plugin_free(p);
}

/* ---- Tables host -------------------------------------------------------------------- */

/* A tiny owner table: 4 entries keyed 0..3, a uint64 field "count" and a subtable "sub". */
struct ttable {
    uint64_t count[4];
    int sub_marker[4];
    int releases;
};
static struct ttable owned;
static int field_count_tag;
static int field_sub_tag;
static ss_plugin_table_fieldinfo tfields[] = { { "count", SS_PLUGIN_ST_UINT64, 0 },
                                               { "sub", SS_PLUGIN_ST_TABLE, 1 } };

static ss_plugin_table_fieldinfo *o_list(ss_plugin_table_t *t, uint32_t *n)
{
    *n = 2;
    return tfields;
}
static ss_plugin_table_field_t *o_get_field(ss_plugin_table_t *t,
                                            const char *name,
                                            ss_plugin_state_type type)
{
    if (strcmp(name, "count") == 0 && type == SS_PLUGIN_ST_UINT64) {
        return &field_count_tag;
    }
    if (strcmp(name, "sub") == 0 && type == SS_PLUGIN_ST_TABLE) {
        return &field_sub_tag;
    }
    return NULL;
}
static const char *o_name(ss_plugin_table_t *t)
{
    return "counts";
}
static uint64_t o_size(ss_plugin_table_t *t)
{
    return t == &owned ? 4 : 1;
}
static ss_plugin_table_entry_t *o_get_entry(ss_plugin_table_t *t, const ss_plugin_state_data *k)
{
    return k->u64 < 4 ? &owned.count[k->u64] : NULL;
}
static ss_plugin_rc o_read(ss_plugin_table_t *t,
                           ss_plugin_table_entry_t *e,
                           const ss_plugin_table_field_t *f,
                           ss_plugin_state_data *out)
{
    size_t idx = (size_t)((uint64_t *)e - owned.count);

    if (f == &field_count_tag) {
        out->u64 = owned.count[idx];
        return SS_PLUGIN_SUCCESS;
    }
    if (f == &field_sub_tag) {
        out->table = &owned.sub_marker[idx];
        return SS_PLUGIN_SUCCESS;
    }
    return SS_PLUGIN_FAILURE;
}
static void o_release(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    owned.releases++;
}
static ss_plugin_rc o_write(ss_plugin_table_t *t,
                            ss_plugin_table_entry_t *e,
                            const ss_plugin_table_field_t *f,
                            const ss_plugin_state_data *in)
{
    size_t idx = (size_t)((uint64_t *)e - owned.count);

    if (f != &field_count_tag) {
        return SS_PLUGIN_FAILURE;
    }
    owned.count[idx] = in->u64;
    return SS_PLUGIN_SUCCESS;
}

static void tables_forward_to_owner(void **state)
{
    struct skr_tables *h = skr_tables_new();
    struct skr_plugin_vtable vt = base_vt();
    struct skr_plugin_inst owner;
    struct skr_plugin_inst reader;
    struct skr_err err;
    struct skr_plugin *p;
    const ss_plugin_init_tables_input *ti = skr_tables_init_input(h);
    ss_plugin_table_reader_vtable_ext rv = { .get_table_name = o_name,
                                             .get_table_size = o_size,
                                             .get_table_entry = o_get_entry,
                                             .read_entry_field = o_read,
                                             .release_table_entry = o_release };
    ss_plugin_table_writer_vtable_ext wv = { .write_entry_field = o_write };
    ss_plugin_table_fields_vtable_ext fv = { .list_table_fields = o_list,
                                             .get_table_field = o_get_field };
    ss_plugin_table_input in = { .name = "counts",
                                 .key_type = SS_PLUGIN_ST_UINT64,
                                 .table = &owned,
                                 .reader_ext = &rv,
                                 .writer_ext = &wv,
                                 .fields_ext = &fv };
    ss_plugin_table_t *t;
    ss_plugin_table_field_t *fc;
    ss_plugin_table_field_t *fs;
    ss_plugin_table_entry_t *e;
    ss_plugin_state_data key = { .u64 = 2 };
    ss_plugin_state_data val;
    uint32_t n;

    (void)state;
    reset();
    p = skr_plugin_load_vtable(&vt, "tp", &err);
    assert_int_equal(skr_plugin_inst_init(&owner, p, "", h, &err), 0);
    assert_int_equal(skr_plugin_inst_init(&reader, p, "", h, &err), 0);
    /* the extraction-capable plugin got the tables input */
    assert_ptr_equal(((struct tstate *)owner.state)->tables, ti);
    assert_int_equal(ti->add_table(&owner, &in), SS_PLUGIN_SUCCESS);
    assert_int_equal(ti->add_table(&owner, &in), SS_PLUGIN_FAILURE);
    assert_non_null(strstr(owner.owner_err, "already exists"));
    assert_non_null(ti->list_tables(&reader, &n));
    assert_int_equal(n, 1);
    assert_null(ti->get_table(&reader, "counts", SS_PLUGIN_ST_INT64));
    assert_null(ti->get_table(&reader, "nope", SS_PLUGIN_ST_UINT64));
    t = ti->get_table(&reader, "counts", SS_PLUGIN_ST_UINT64);
    assert_non_null(t);
    assert_ptr_not_equal(t, &owned); /* a host handle, not the owner's pointer */
    fc = ti->fields_ext->get_table_field(t, "count", SS_PLUGIN_ST_UINT64);
    fs = ti->fields_ext->get_table_field(t, "sub", SS_PLUGIN_ST_TABLE);
    assert_non_null(fc);
    assert_non_null(fs);
    assert_ptr_equal(fc, ti->fields_ext->get_table_field(t, "count", SS_PLUGIN_ST_UINT64));
    assert_string_equal(ti->reader_ext->get_table_name(t), "counts");
    assert_int_equal(ti->reader_ext->get_table_size(t), 4);
    e = ti->reader_ext->get_table_entry(t, &key);
    assert_non_null(e);
    val.u64 = 41;
    assert_int_equal(ti->writer_ext->write_entry_field(t, e, fc, &val), SS_PLUGIN_SUCCESS);
    assert_int_equal(owned.count[2], 41);
    val.u64 = 0;
    assert_int_equal(ti->reader_ext->read_entry_field(t, e, fc, &val), SS_PLUGIN_SUCCESS);
    assert_int_equal(val.u64, 41);
    /* a subtable comes back as a host handle that forwards with the owner's pointer */
    assert_int_equal(ti->reader_ext->read_entry_field(t, e, fs, &val), SS_PLUGIN_SUCCESS);
    assert_ptr_not_equal(val.table, &owned.sub_marker[2]);
    assert_int_equal(ti->reader_ext->get_table_size(val.table), 1);
    ti->reader_ext->release_table_entry(t, e);
    assert_int_equal(owned.releases, 1);
    /* a walk over a large thread table reads one subtable per entry in a single event:
     * every handle stays usable until the event ends */
    {
        enum {
            N = 20000
        };
        static ss_plugin_table_t *subs[N];
        skr_tables_event_done(h);
        e = ti->reader_ext->get_table_entry(t, &key);
        for (int i = 0; i < N; i++) {
            assert_int_equal(ti->reader_ext->read_entry_field(t, e, fs, &val), SS_PLUGIN_SUCCESS);
            subs[i] = val.table;
        }
        assert_int_equal(ti->reader_ext->get_table_size(subs[0]), 1);
        assert_int_equal(ti->reader_ext->get_table_size(subs[N - 1]), 1);
        ti->reader_ext->release_table_entry(t, e);
        skr_tables_event_done(h);
        /* the next event starts from the first handle again */
        e = ti->reader_ext->get_table_entry(t, &key);
        assert_int_equal(ti->reader_ext->read_entry_field(t, e, fs, &val), SS_PLUGIN_SUCCESS);
        assert_ptr_equal(val.table, subs[0]);
        ti->reader_ext->release_table_entry(t, e);
    }
    /* an unknown handle is refused, not dereferenced as a table */
    assert_int_equal(ti->reader_ext->get_table_size((ss_plugin_table_t *)&owned.count[0]),
                     (uint64_t)-1);
    skr_tables_event_done(h);
    skr_plugin_inst_fini(&reader);
    skr_plugin_inst_fini(&owner);
    skr_tables_free(h);
    skr_plugin_free(p);
}

/* ---- Events ---------------------------------------------------------------------------- */

static void event_params_bounded(void **state)
{
    uint8_t buf[64];
    ss_plugin_event *e = (ss_plugin_event *)buf;
    const uint8_t *d;
    uint32_t l;
    uint32_t lens[2] = { 4, 3 };
    uint32_t id = 7;

    (void)state;
    memset(buf, 0, sizeof(buf));
    e->type = 322;
    e->nparams = 2;
    e->len = 26 + 8 + 4 + 3;
    memcpy(buf + 26, lens, 8);
    memcpy(buf + 34, &id, 4);
    memcpy(buf + 38, "abc", 3);
    assert_true(skr_evt_well_formed(e, sizeof(buf)));
    assert_int_equal(skr_evt_param(e, 1, &d, &l), 0);
    assert_int_equal(l, 3);
    assert_memory_equal(d, "abc", 3);
    assert_int_equal(skr_evt_param(e, 2, &d, &l), -1);
    e->len = 40; /* one byte short */
    assert_false(skr_evt_well_formed(e, sizeof(buf)));
    assert_int_equal(skr_evt_param(e, 1, &d, &l), -1);
    e->len = 41;
    assert_false(skr_evt_well_formed(e, 30)); /* more than is available */
    e->nparams = 0x40000000;                  /* lengths beyond the event */
    assert_false(skr_evt_well_formed(e, sizeof(buf)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_and_reads_documents),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(ext_version_checked),
        cmocka_unit_test(dlopen_errors),
        cmocka_unit_test(init_failure_carries_message),
        cmocka_unit_test(init_config_schema),
        cmocka_unit_test(schema_keywords),
        cmocka_unit_test(registry_lookup_and_collisions),
        cmocka_unit_test(tables_forward_to_owner),
        cmocka_unit_test(event_params_bounded),
    };
    skr_log_set_level(SKR_LOG_ERR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
