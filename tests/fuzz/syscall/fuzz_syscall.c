/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the syscall plugin's parsing and extraction: the
 * input is a stream of events, each framed by a 16-bit little-endian length
 * (the bytes that follow form the event, header included, whatever they say;
 * the header's own length is set to the framed size, as a host guarantees).
 * Every event goes through parse_event, then a set of fields chosen by the
 * input itself (every field of the plugin, with index and key arguments) is
 * extracted, and the threads table is read through the tables API (and, as
 * another plugin could, an event's own thread is sometimes erased or replaced
 * between its parsing and its extraction).
 *
 * A fresh plugin state per input, with small table limits so that eviction,
 * fd limits and placeholder threads are reached.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <saker/plugin_api.h>
#include <saker/plugin_ext.h>

ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc);
void plugin_destroy(ss_plugin_t *st);
const char *plugin_get_fields(void);
ss_plugin_rc plugin_parse_event(ss_plugin_t *st,
                                const ss_plugin_event_input *evt,
                                const ss_plugin_event_parse_input *in);
ss_plugin_rc plugin_extract_fields(ss_plugin_t *st,
                                   const ss_plugin_event_input *evt,
                                   const ss_plugin_field_extract_input *in);

#define MAX_REQS      2048
#define PER_EVENT     24
#define EVT_HDR       26
#define MAX_EVT_BYTES 65535

struct req {
    uint32_t id;
    uint32_t type;
    int list;
    int has_arg;
    const char *key;
    uint64_t index;
};

static struct req g_reqs[MAX_REQS];
static uint32_t g_nreqs;
static ss_plugin_table_input g_threads;
static int g_have_threads;

static uint32_t type_code(const char *t)
{
    if (strcmp(t, "string") == 0 || strcmp(t, "fspath") == 0) {
        return strcmp(t, "string") == 0 ? FTYPE_STRING : SAKER_FTYPE_FSPATH;
    }
    if (strcmp(t, "bool") == 0) {
        return FTYPE_BOOL;
    }
    if (strcmp(t, "ipaddr") == 0 || strcmp(t, "ipnet") == 0) {
        return strcmp(t, "ipaddr") == 0 ? FTYPE_IPADDR : FTYPE_IPNET;
    }
    if (strcmp(t, "bytebuf") == 0) {
        return SAKER_FTYPE_BYTEBUF;
    }
    return FTYPE_UINT64;
}

static void add_req(uint32_t id,
                    uint32_t type,
                    int list,
                    int has_arg,
                    const char *key,
                    uint64_t index)
{
    if (g_nreqs < MAX_REQS) {
        g_reqs[g_nreqs++] = (struct req){ id, type, list, has_arg, key, index };
    }
}

/* Every field, and for fields with arguments a few index and key forms. */
static void load_reqs(void)
{
    static const char *const keys[] = { "HOME", "memory", "flags", "fd", "name", "res", "x", "" };
    cJSON *fields = cJSON_Parse(plugin_get_fields());
    const cJSON *it;
    uint32_t id = 0;

    cJSON_ArrayForEach(it, fields) {
        const cJSON *arg = cJSON_GetObjectItem(it, "arg");
        uint32_t type = type_code(cJSON_GetObjectItem(it, "type")->valuestring);
        int list = cJSON_IsTrue(cJSON_GetObjectItem(it, "isList"));
        int required = arg && cJSON_IsTrue(cJSON_GetObjectItem(arg, "isRequired"));
        if (!required) {
            add_req(id, type, list, 0, NULL, 0);
        }
        if (arg && cJSON_IsTrue(cJSON_GetObjectItem(arg, "isIndex"))) {
            add_req(id, type, list, 1, NULL, 0);
            add_req(id, type, list, 1, NULL, 2);
            add_req(id, type, list, 1, NULL, 1u << 20);
        }
        if (arg && cJSON_IsTrue(cJSON_GetObjectItem(arg, "isKey"))) {
            for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
                add_req(id, type, list, 1, keys[k], 0);
            }
        }
        id++;
    }
    cJSON_Delete(fields);
}

static ss_plugin_rc add_table(ss_plugin_owner_t *o, const ss_plugin_table_input *in)
{
    (void)o;
    g_threads = *in;
    g_have_threads = 1;
    return SS_PLUGIN_SUCCESS;
}

static ss_plugin_bool visit(ss_plugin_table_iterator_state_t *u, ss_plugin_table_entry_t *e)
{
    ss_plugin_table_field_t *f = (ss_plugin_table_field_t *)u;
    ss_plugin_state_data out;

    if (g_threads.reader_ext->read_entry_field(g_threads.table, e, f, &out) == SS_PLUGIN_SUCCESS &&
        out.str && strlen(out.str) > 4096) {
        __builtin_trap(); /* comm/exe text must stay bounded */
    }
    return 1;
}

static void extract(ss_plugin_t *s,
                    const ss_plugin_event *e,
                    uint64_t num,
                    const uint8_t *sel,
                    size_t nsel)
{
    ss_plugin_event_input in = { .evt = e, .evtnum = num, .evtsrc = "syscall" };
    ss_plugin_extract_field f[PER_EVENT];
    ss_plugin_field_extract_input x;
    uint32_t n = 0;

    memset(f, 0, sizeof(f));
    for (size_t i = 0; i + 1 < nsel && n < PER_EVENT; i += 2) {
        const struct req *r = &g_reqs[((uint32_t)sel[i] << 8 | sel[i + 1]) % g_nreqs];
        f[n].field_id = r->id;
        f[n].field = "fuzz";
        f[n].ftype = r->type;
        f[n].flist = r->list;
        f[n].arg_present = r->has_arg;
        f[n].arg_key = r->key;
        f[n].arg_index = r->index;
        n++;
    }
    memset(&x, 0, sizeof(x));
    x.num_fields = n;
    x.fields = f;
    if (g_have_threads) {
        x.table_reader_ext = g_threads.reader_ext;
    }
    if (plugin_extract_fields(s, &in, &x) != SS_PLUGIN_SUCCESS) {
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        for (uint64_t k = 0; k < f[i].res_len; k++) {
            if ((f[i].ftype == FTYPE_STRING || f[i].ftype == SAKER_FTYPE_FSPATH) &&
                strlen(f[i].res.str[k]) > (1u << 24)) {
                __builtin_trap(); /* results must be bounded NUL-terminated strings */
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t *evbuf;
    ss_plugin_init_tables_input tin;
    ss_plugin_init_input init;
    ss_plugin_rc rc;
    ss_plugin_t *s;
    uint64_t num = 0;
    size_t pos = 0;

    if (!evbuf) {
        evbuf = malloc(MAX_EVT_BYTES + EVT_HDR);
        if (!evbuf) {
            return 0;
        }
    }
    memset(&tin, 0, sizeof(tin));
    tin.add_table = add_table;
    memset(&init, 0, sizeof(init));
    init.config = "{\"thread_table_size\": 64, \"max_fd\": 32}";
    init.tables = &tin;
    g_have_threads = 0;
    s = plugin_init(&init, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        __builtin_trap(); /* a fixed valid config must load */
    }
    if (!g_nreqs) {
        load_reqs();
    }
    while (pos + 2 <= size) {
        size_t len = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
        uint32_t evlen;
        const uint8_t *sel;
        size_t nsel;

        pos += 2;
        if (len > size - pos) {
            len = size - pos;
        }
        /* the event's bytes, padded to a header; the header length is the framed size */
        memset(evbuf, 0, EVT_HDR);
        memcpy(evbuf, data + pos, len);
        evlen = (uint32_t)(len < EVT_HDR ? EVT_HDR : len);
        memcpy(evbuf + 16, &evlen, 4);
        pos += len;
        /* the bytes after the event choose the fields, up to the next frame */
        sel = data + pos;
        nsel = size - pos < 2 * PER_EVENT ? size - pos : 2 * PER_EVENT;
        {
            ss_plugin_event_input in = { .evt = (const ss_plugin_event *)evbuf,
                                         .evtnum = ++num,
                                         .evtsrc = "syscall" };
            plugin_parse_event(s, &in, NULL);
        }
        if (g_have_threads && nsel > 0 && (sel[0] & 0xc0) == 0xc0) {
            /* another plugin removes or replaces the event's thread before extraction */
            ss_plugin_state_data key;
            uint64_t tid;
            memcpy(&tid, evbuf + 8, sizeof(tid));
            key.s64 = (int64_t)tid;
            if (sel[0] & 1) {
                ss_plugin_table_entry_t *e =
                        g_threads.writer_ext->create_table_entry(g_threads.table);
                if (e) {
                    e = g_threads.writer_ext->add_table_entry(g_threads.table, &key, e);
                    if (e) {
                        g_threads.reader_ext->release_table_entry(g_threads.table, e);
                    }
                }
            } else {
                g_threads.writer_ext->erase_table_entry(g_threads.table, &key);
            }
        }
        extract(s, (const ss_plugin_event *)evbuf, num, sel, nsel);
    }
    if (g_have_threads) {
        ss_plugin_table_field_t *f =
                g_threads.fields_ext->get_table_field(g_threads.table, "comm", SS_PLUGIN_ST_STRING);
        if (f) {
            g_threads.reader_ext->iterate_entries(g_threads.table, visit,
                                                  (ss_plugin_table_iterator_state_t *)f);
        }
    }
    plugin_destroy(s);
    return 0;
}
