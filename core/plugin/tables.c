/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tables host of one event source. A plugin offers a table with
 * add_table; the host keeps a wrapper (the table's handle as other plugins
 * see it) holding the owner's vtables, and every host vtable call forwards
 * to the owner with the owner's own table pointer. Subtables read from an
 * entry field (SS_PLUGIN_ST_TABLE) get a wrapper from a per-event pool, as
 * the ABI lets plugins use them only until the event ends.
 */
#include "plugin/plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define TABLE_MAGIC 0x53544248u /* "STBH" */
#define FIELD_MAGIC 0x53464c44u /* "SFLD" */
#define SUB_CHUNK   64
/* Subtable handles one event may take: one per thread when a plugin walks the
 * whole thread table (the container plugin does at start), so as many as the
 * thread table holds. */
#define SUB_MAX (1u << 18)
/* Chunks kept between events; a larger burst is freed when its event ends. */
#define SUB_KEEP_CHUNKS 64

/* A field accessor as plugins see it: the owner's accessor and the field's type. */
struct host_field {
    uint32_t magic;
    ss_plugin_state_type type;
    ss_plugin_table_field_t *raw;
    struct host_field *next;
};

struct host_table {
    uint32_t magic;
    const char *name;
    ss_plugin_state_type key_type;
    ss_plugin_table_t *raw;
    struct skr_plugin_inst *owner;
    ss_plugin_table_reader_vtable_ext reader;
    ss_plugin_table_writer_vtable_ext writer;
    ss_plugin_table_fields_vtable_ext fields;
};

struct sub_chunk {
    struct host_table w[SUB_CHUNK];
    struct sub_chunk *next;
};

struct skr_tables {
    struct host_table **tables;
    size_t n;
    ss_plugin_table_info *infos;
    ss_plugin_init_tables_input init_input;
    ss_plugin_table_reader_vtable_ext reader;
    ss_plugin_table_writer_vtable_ext writer;
    ss_plugin_table_fields_vtable_ext fields;
    /* per-event subtable wrappers: chunks are kept, used is reset per event */
    struct sub_chunk *chunks;
    struct sub_chunk *cur; /* chunk holding wrapper number used - 1 */
    size_t used;
    struct host_field *field_list; /* every accessor handed out, kept until free */
    struct skr_complaint bad_handle;
};

static struct host_table *W(ss_plugin_table_t *t)
{
    struct host_table *w = t;

    return (w != NULL && w->magic == TABLE_MAGIC) ? w : NULL;
}

static struct host_field *F(const ss_plugin_table_field_t *f)
{
    struct host_field *h = (struct host_field *)f;

    return (h != NULL && h->magic == FIELD_MAGIC) ? h : NULL;
}

static struct skr_tables *host_of(struct host_table *w)
{
    return w->owner != NULL ? w->owner->tables : NULL;
}

/* The host accessor for an owner accessor (one per distinct accessor and type). */
static ss_plugin_table_field_t *wrap_field(struct host_table *w,
                                           ss_plugin_table_field_t *raw,
                                           ss_plugin_state_type type)
{
    struct skr_tables *h = host_of(w);
    struct host_field *f;

    if (raw == NULL || h == NULL) {
        return NULL;
    }
    for (f = h->field_list; f != NULL; f = f->next) {
        if (f->raw == raw && f->type == type) {
            return f;
        }
    }
    f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    f->magic = FIELD_MAGIC;
    f->type = type;
    f->raw = raw;
    f->next = h->field_list;
    h->field_list = f;
    return f;
}

static void set_owner_err(ss_plugin_owner_t *o, const char *fmt, const char *a)
{
    struct skr_plugin_inst *inst = o;

    if (inst != NULL) {
        skr_fmt(inst->owner_err, sizeof(inst->owner_err), fmt, a);
    }
}

/* ---- fields ------------------------------------------------------------------------------- */

static ss_plugin_table_fieldinfo *h_list_fields(ss_plugin_table_t *t, uint32_t *n)
{
    struct host_table *w = W(t);

    if (w == NULL || w->fields.list_table_fields == NULL) {
        *n = 0;
        return NULL;
    }
    return w->fields.list_table_fields(w->raw, n);
}

static ss_plugin_table_field_t *h_get_field(ss_plugin_table_t *t,
                                            const char *name,
                                            ss_plugin_state_type type)
{
    struct host_table *w = W(t);

    if (w == NULL || w->fields.get_table_field == NULL) {
        return NULL;
    }
    return wrap_field(w, w->fields.get_table_field(w->raw, name, type), type);
}

static ss_plugin_table_field_t *h_add_field(ss_plugin_table_t *t,
                                            const char *name,
                                            ss_plugin_state_type type)
{
    struct host_table *w = W(t);

    if (w == NULL || w->fields.add_table_field == NULL) {
        return NULL;
    }
    return wrap_field(w, w->fields.add_table_field(w->raw, name, type), type);
}

/* ---- reader ------------------------------------------------------------------------------- */

static const char *h_get_name(ss_plugin_table_t *t)
{
    struct host_table *w = W(t);

    return w ? w->name : NULL;
}

static uint64_t h_get_size(ss_plugin_table_t *t)
{
    struct host_table *w = W(t);

    if (w == NULL || w->reader.get_table_size == NULL) {
        return (uint64_t)-1;
    }
    return w->reader.get_table_size(w->raw);
}

static ss_plugin_table_entry_t *h_get_entry(ss_plugin_table_t *t, const ss_plugin_state_data *key)
{
    struct host_table *w = W(t);

    if (w == NULL || w->reader.get_table_entry == NULL) {
        return NULL;
    }
    return w->reader.get_table_entry(w->raw, key);
}

/* A wrapper for a subtable, valid until skr_tables_event_done. */
static struct host_table *wrap_sub(struct skr_tables *h,
                                   const struct host_table *parent,
                                   ss_plugin_table_t *raw)
{
    struct host_table *w;
    struct sub_chunk *c;

    if (h->used >= SUB_MAX) {
        skr_complain(&h->bad_handle, SKR_LOG_WARNING, "tables",
                     "a plugin read more than %u subtables in one event; refusing more", SUB_MAX);
        return NULL;
    }
    if (h->used % SUB_CHUNK == 0) {
        /* step to the next chunk, allocating it the first time */
        struct sub_chunk **next = h->used == 0 ? &h->chunks : &h->cur->next;
        if (*next == NULL && (*next = calloc(1, sizeof(**next))) == NULL) {
            return NULL;
        }
        h->cur = *next;
    }
    c = h->cur;
    w = &c->w[h->used % SUB_CHUNK];
    h->used++;
    *w = *parent;
    w->raw = raw;
    w->name = "(subtable)";
    return w;
}

static ss_plugin_rc h_read_field(ss_plugin_table_t *t,
                                 ss_plugin_table_entry_t *e,
                                 const ss_plugin_table_field_t *f,
                                 ss_plugin_state_data *out)
{
    struct host_table *w = W(t);
    struct host_field *hf = F(f);
    ss_plugin_rc rc;

    if (w == NULL || hf == NULL || w->reader.read_entry_field == NULL) {
        return SS_PLUGIN_FAILURE;
    }
    rc = w->reader.read_entry_field(w->raw, e, hf->raw, out);
    if (rc == SS_PLUGIN_SUCCESS && hf->type == SS_PLUGIN_ST_TABLE && out->table != NULL) {
        /* hand out a host handle for the subtable, valid until the event ends */
        struct host_table *sub = host_of(w) ? wrap_sub(host_of(w), w, out->table) : NULL;
        if (sub == NULL) {
            return SS_PLUGIN_FAILURE;
        }
        out->table = sub;
    }
    return rc;
}

static void h_release_entry(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    struct host_table *w = W(t);

    if (w != NULL && w->reader.release_table_entry != NULL) {
        w->reader.release_table_entry(w->raw, e);
    }
}

static ss_plugin_bool h_iterate(ss_plugin_table_t *t,
                                ss_plugin_table_iterator_func_t it,
                                ss_plugin_table_iterator_state_t *s)
{
    struct host_table *w = W(t);

    if (w == NULL || w->reader.iterate_entries == NULL) {
        return 0;
    }
    return w->reader.iterate_entries(w->raw, it, s);
}

/* ---- writer ------------------------------------------------------------------------------- */

static ss_plugin_rc h_clear(ss_plugin_table_t *t)
{
    struct host_table *w = W(t);

    if (w == NULL || w->writer.clear_table == NULL) {
        return SS_PLUGIN_FAILURE;
    }
    return w->writer.clear_table(w->raw);
}

static ss_plugin_rc h_erase(ss_plugin_table_t *t, const ss_plugin_state_data *key)
{
    struct host_table *w = W(t);

    if (w == NULL || w->writer.erase_table_entry == NULL) {
        return SS_PLUGIN_FAILURE;
    }
    return w->writer.erase_table_entry(w->raw, key);
}

static ss_plugin_table_entry_t *h_create(ss_plugin_table_t *t)
{
    struct host_table *w = W(t);

    if (w == NULL || w->writer.create_table_entry == NULL) {
        return NULL;
    }
    return w->writer.create_table_entry(w->raw);
}

static void h_destroy(ss_plugin_table_t *t, ss_plugin_table_entry_t *e)
{
    struct host_table *w = W(t);

    if (w != NULL && w->writer.destroy_table_entry != NULL) {
        w->writer.destroy_table_entry(w->raw, e);
    }
}

static ss_plugin_table_entry_t *h_add_entry(ss_plugin_table_t *t,
                                            const ss_plugin_state_data *key,
                                            ss_plugin_table_entry_t *e)
{
    struct host_table *w = W(t);

    if (w == NULL || w->writer.add_table_entry == NULL) {
        return NULL;
    }
    return w->writer.add_table_entry(w->raw, key, e);
}

static ss_plugin_rc h_write_field(ss_plugin_table_t *t,
                                  ss_plugin_table_entry_t *e,
                                  const ss_plugin_table_field_t *f,
                                  const ss_plugin_state_data *in)
{
    struct host_table *w = W(t);
    struct host_field *hf = F(f);

    if (w == NULL || hf == NULL || w->writer.write_entry_field == NULL) {
        return SS_PLUGIN_FAILURE;
    }
    return w->writer.write_entry_field(w->raw, e, hf->raw, in);
}

/* ---- registration ------------------------------------------------------------------------- */

static ss_plugin_table_info *h_list_tables(ss_plugin_owner_t *o, uint32_t *ntables)
{
    struct skr_plugin_inst *inst = o;
    struct skr_tables *h = inst ? inst->tables : NULL;

    *ntables = h ? (uint32_t)h->n : 0;
    return h ? h->infos : NULL;
}

static ss_plugin_table_t *h_get_table(ss_plugin_owner_t *o,
                                      const char *name,
                                      ss_plugin_state_type key_type)
{
    struct skr_plugin_inst *inst = o;
    struct skr_tables *h = inst ? inst->tables : NULL;

    for (size_t i = 0; h != NULL && name != NULL && i < h->n; i++) {
        if (strcmp(h->tables[i]->name, name) == 0) {
            if (h->tables[i]->key_type != key_type) {
                set_owner_err(o, "table '%s' exists with another key type", name);
                return NULL;
            }
            return h->tables[i];
        }
    }
    set_owner_err(o, "no table named '%s' (load the plugin that owns it before this one)",
                  name ? name : "(null)");
    return NULL;
}

static ss_plugin_rc h_add_table(ss_plugin_owner_t *o, const ss_plugin_table_input *in)
{
    struct skr_plugin_inst *inst = o;
    struct skr_tables *h = inst ? inst->tables : NULL;
    struct host_table *w;
    struct host_table **nt;
    ss_plugin_table_info *ni;

    if (h == NULL || in == NULL || in->name == NULL || in->name[0] == '\0' || in->table == NULL) {
        set_owner_err(o, "add_table: %s", "the table input needs a name and a table");
        return SS_PLUGIN_FAILURE;
    }
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->tables[i]->name, in->name) == 0) {
            set_owner_err(o, "add_table: a table named '%s' already exists", in->name);
            return SS_PLUGIN_FAILURE;
        }
    }
    w = calloc(1, sizeof(*w));
    nt = realloc(h->tables, (h->n + 1) * sizeof(*nt));
    if (nt != NULL) {
        h->tables = nt;
    }
    ni = realloc(h->infos, (h->n + 1) * sizeof(*ni));
    if (ni != NULL) {
        h->infos = ni;
    }
    if (w == NULL || nt == NULL || ni == NULL) {
        free(w);
        set_owner_err(o, "add_table: %s", "out of memory");
        return SS_PLUGIN_FAILURE;
    }
    w->magic = TABLE_MAGIC;
    w->name = in->name; /* the owner's, valid while its state lives */
    w->key_type = in->key_type;
    w->raw = in->table;
    w->owner = inst;
    if (in->reader_ext != NULL) {
        w->reader = *in->reader_ext;
    } else {
        w->reader.get_table_name = in->reader.get_table_name;
        w->reader.get_table_size = in->reader.get_table_size;
        w->reader.get_table_entry = in->reader.get_table_entry;
        w->reader.read_entry_field = in->reader.read_entry_field;
    }
    if (in->writer_ext != NULL) {
        w->writer = *in->writer_ext;
    } else {
        w->writer.clear_table = in->writer.clear_table;
        w->writer.erase_table_entry = in->writer.erase_table_entry;
        w->writer.create_table_entry = in->writer.create_table_entry;
        w->writer.destroy_table_entry = in->writer.destroy_table_entry;
        w->writer.add_table_entry = in->writer.add_table_entry;
        w->writer.write_entry_field = in->writer.write_entry_field;
    }
    if (in->fields_ext != NULL) {
        w->fields = *in->fields_ext;
    } else {
        w->fields.list_table_fields = in->fields.list_table_fields;
        w->fields.get_table_field = in->fields.get_table_field;
        w->fields.add_table_field = in->fields.add_table_field;
    }
    h->tables[h->n] = w;
    h->infos[h->n].name = w->name;
    h->infos[h->n].key_type = w->key_type;
    h->n++;
    skr_log(SKR_LOG_DEBUG, inst->p->name, "offers table '%s'", w->name);
    return SS_PLUGIN_SUCCESS;
}

struct skr_tables *skr_tables_new(void)
{
    struct skr_tables *h = calloc(1, sizeof(*h));

    if (h == NULL) {
        return NULL;
    }
    h->fields.list_table_fields = h_list_fields;
    h->fields.get_table_field = h_get_field;
    h->fields.add_table_field = h_add_field;
    h->reader.get_table_name = h_get_name;
    h->reader.get_table_size = h_get_size;
    h->reader.get_table_entry = h_get_entry;
    h->reader.read_entry_field = h_read_field;
    h->reader.release_table_entry = h_release_entry;
    h->reader.iterate_entries = h_iterate;
    h->writer.clear_table = h_clear;
    h->writer.erase_table_entry = h_erase;
    h->writer.create_table_entry = h_create;
    h->writer.destroy_table_entry = h_destroy;
    h->writer.add_table_entry = h_add_entry;
    h->writer.write_entry_field = h_write_field;
    h->init_input.list_tables = h_list_tables;
    h->init_input.get_table = h_get_table;
    h->init_input.add_table = h_add_table;
    h->init_input.fields.list_table_fields = h_list_fields;
    h->init_input.fields.get_table_field = h_get_field;
    h->init_input.fields.add_table_field = h_add_field;
    h->init_input.fields_ext = &h->fields;
    h->init_input.reader_ext = &h->reader;
    h->init_input.writer_ext = &h->writer;
    return h;
}

void skr_tables_free(struct skr_tables *h)
{
    struct sub_chunk *c;
    struct host_field *f;

    if (h == NULL) {
        return;
    }
    while ((f = h->field_list) != NULL) {
        h->field_list = f->next;
        free(f);
    }
    for (size_t i = 0; i < h->n; i++) {
        free(h->tables[i]);
    }
    while ((c = h->chunks) != NULL) {
        h->chunks = c->next;
        free(c);
    }
    free(h->tables);
    free(h->infos);
    free(h);
}

const ss_plugin_init_tables_input *skr_tables_init_input(struct skr_tables *h)
{
    return &h->init_input;
}

ss_plugin_table_reader_vtable_ext *skr_tables_reader(struct skr_tables *h)
{
    return &h->reader;
}

ss_plugin_table_writer_vtable_ext *skr_tables_writer(struct skr_tables *h)
{
    return &h->writer;
}

void skr_tables_event_done(struct skr_tables *h)
{
    if (h->used > SUB_KEEP_CHUNKS * SUB_CHUNK) {
        struct sub_chunk *c = h->chunks;
        for (size_t i = 1; i < SUB_KEEP_CHUNKS && c != NULL; i++) {
            c = c->next;
        }
        if (c != NULL) {
            struct sub_chunk *extra = c->next;
            c->next = NULL;
            while (extra != NULL) {
                struct sub_chunk *n = extra->next;
                free(extra);
                extra = n;
            }
        }
    }
    h->used = 0;
    h->cur = NULL;
}

size_t skr_tables_count(const struct skr_tables *h)
{
    return h->n;
}
