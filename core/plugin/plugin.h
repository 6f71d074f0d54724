/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plugins: loading, checking, instances, the field registry and the tables
 * host.
 *
 * Loading separates how from whether (as libs' loader does): every plugin_*
 * symbol is resolved into one struct skr_plugin_vtable, then separate steps
 * check the required symbols, the API version (Falco's semver rule), the
 * capabilities (Falco's rules, "broken" combinations included), the Saker
 * extension version, and read the JSON documents (fields, sources, async
 * events). skr_plugin_load_vtable() runs the same steps on a vtable already
 * in memory, for tests and for plugins linked into a binary.
 *
 * A struct skr_plugin is library-level and immutable after loading. Each
 * event source (and each sink) gets its own init'ed state of a plugin, a
 * struct skr_plugin_inst, as Falco does; an instance is only called from one
 * thread at a time.
 *
 * Every error names the plugin and the symbol or document at fault and says
 * what to do.
 */
#ifndef SKR_PLUGIN_PLUGIN_H
#define SKR_PLUGIN_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <saker/plugin_api.h>

#include "util/arena.h"
#include "util/err.h"
#include "util/semver.h"
#include "util/strbuf.h"

/* ---- Symbols -------------------------------------------------------------------- */

/* Every symbol a plugin may export: Falco's base, then Saker's extensions. */
struct skr_plugin_vtable {
    plugin_api api;
    const char *(*get_required_saker_ext_version)(void);
    uint32_t (*get_extract_lifetime)(ss_plugin_t *s);
    const saker_event_type *(*get_event_types)(ss_plugin_t *s, uint32_t *num_types);
    ss_plugin_rc (*set_event_interest)(ss_plugin_t *s, const saker_event_interest *in);
    const char *const *(*get_prefilter_fields)(ss_plugin_t *s, uint32_t *num_fields);
    ss_plugin_rc (*set_prefilter)(ss_plugin_t *s, const saker_prefilter *pf);
    saker_sink_t *(*sink_open)(ss_plugin_t *s, const char *params, ss_plugin_rc *rc);
    ss_plugin_rc (*sink_write)(ss_plugin_t *s,
                               saker_sink_t *h,
                               uint32_t num_alerts,
                               const saker_alert *const *alerts,
                               saker_sink_result *results);
    ss_plugin_rc (*sink_flush)(ss_plugin_t *s, saker_sink_t *h);
    ss_plugin_rc (*sink_reopen)(ss_plugin_t *s, saker_sink_t *h);
    void (*sink_close)(ss_plugin_t *s, saker_sink_t *h);
};

/* Capabilities, from the symbols present. */
#define SKR_CAP_SOURCING          (1u << 0)
#define SKR_CAP_EXTRACTION        (1u << 1)
#define SKR_CAP_PARSING           (1u << 2)
#define SKR_CAP_ASYNC             (1u << 3)
#define SKR_CAP_CAPTURE_LISTENING (1u << 4)
#define SKR_CAP_SINK              (1u << 5) /* Saker extension */

/* Field flags and argument flags: numerically equal to rules.h's SKR_FIELD_* / SKR_ARG_*. */
#define SKR_PF_LIST        (1u << 0)
#define SKR_PF_FILTER_ONLY (1u << 1)
#define SKR_PF_PRINT_ONLY  (1u << 2)
#define SKR_PF_DEPRECATED  (1u << 3)
#define SKR_PF_NO_RHS      (1u << 4)
#define SKR_PF_HIDDEN      (1u << 5)

#define SKR_PA_ALLOWED  (1u << 0)
#define SKR_PA_REQUIRED (1u << 1)
#define SKR_PA_INDEX    (1u << 2)
#define SKR_PA_KEY      (1u << 3)
#define SKR_PA_DOTTED   (1u << 4)

/* One field of a plugin's get_fields (or of the core). Strings owned by the plugin record. */
struct skr_plugin_field {
    const char *name;
    const char *desc;
    const char *display; /* or NULL */
    uint32_t type;       /* FTYPE_* / SAKER_FTYPE_* */
    uint32_t flags;      /* SKR_PF_* */
    uint32_t arg_flags;  /* SKR_PA_* */
    bool add_output;
    const char *const *properties; /* as written, NULL-terminated */
};

/* A set of source names; n == 0 means every source. */
struct skr_srcset {
    char **v;
    size_t n;
};

/* A loaded plugin library. Immutable after skr_plugin_open / skr_plugin_load_vtable. */
struct skr_plugin {
    char *label; /* the configured name, used in messages until the real name is read */
    char *path;  /* library path, or "<memory>" */
    void *dl;    /* dlopen handle, NULL for a vtable from memory */
    struct skr_plugin_vtable vt;

    const char *name; /* plugin_get_name (static strings of the library) */
    const char *version;
    const char *description;
    const char *contact;
    const char *required_api_version;
    unsigned caps; /* SKR_CAP_* */

    /* sourcing */
    uint32_t id;        /* 0: no specific source */
    const char *source; /* the source name, "syscall" for a sourcing plugin with id 0 */

    /* extraction: fields of get_fields, in order (index = field_id) */
    struct skr_plugin_field *fields;
    size_t num_fields;
    struct skr_srcset extract_sources; /* effective set (own source added) */
    struct skr_srcset parse_sources;
    struct skr_srcset async_sources;
    char **async_names; /* get_async_events */
    size_t num_async_names;

    /* init schema (copied), or NULL */
    char *init_schema;

    struct skr_arena arena; /* every string and array above that the record owns */
};

/*
 * dlopen()s path (RTLD_NOW|RTLD_LOCAL) and runs every check. label is the
 * configured name for messages. Returns the plugin or NULL with err set.
 */
struct skr_plugin *skr_plugin_open(const char *label, const char *path, struct skr_err *err);

/* Runs every check on a vtable from memory (copied). */
struct skr_plugin *skr_plugin_load_vtable(const struct skr_plugin_vtable *vt,
                                          const char *label,
                                          struct skr_err *err);

/* Resolves every known symbol of an open library handle into vt (absent ones NULL). */
void skr_plugin_resolve(void *dl, struct skr_plugin_vtable *vt);

void skr_plugin_free(struct skr_plugin *p);

/* Compatibility with an event source (empty sets mean every source). */
bool skr_plugin_extracts(const struct skr_plugin *p, const char *source);
bool skr_plugin_parses(const struct skr_plugin *p, const char *source);
bool skr_plugin_async_into(const struct skr_plugin *p, const char *source);
/* True when the plugin has any business with that source (source, extract, parse, async). */
bool skr_plugin_serves(const struct skr_plugin *p, const char *source);

/* "sourcing (ID 999, source 'counter'), extraction, ..." into out. */
void skr_plugin_caps_text(const struct skr_plugin *p, struct skr_strbuf *out);

/* ---- Text ---------------------------------------------------------------------------------- */

/*
 * snprintf with the result checked: buf always ends up NUL-terminated (""
 * when the format fails). Returns false when the text did not fit whole.
 */
bool skr_fmt(char *buf, size_t size, const char *fmt, ...) SKR_PRINTF(3, 4);

/* ---- Events ------------------------------------------------------------------------------ */

#define SKR_EVT_HDR_LEN 26u

/* True for event codes whose parameter lengths are 4 bytes (322..325, 402, 403). */
bool skr_evt_large_payload(uint16_t type);

/*
 * Parameter idx of evt: sets *data and *len and returns 0, or -1 when the
 * event is too short for its header, lengths or that parameter. evt->len
 * bounds every read; a hostile event never reads out of bounds.
 */
int skr_evt_param(const ss_plugin_event *evt, uint32_t idx, const uint8_t **data, uint32_t *len);

/* Checks that evt->len covers the header and every parameter. */
bool skr_evt_well_formed(const ss_plugin_event *evt, uint32_t avail);

/* ---- Init schema ----------------------------------------------------------------------- */

/*
 * Validates the JSON text config against the JSON Schema text schema (the
 * common subset plugins use: type, properties, required,
 * additionalProperties, items, enum, const, min/max, lengths, $ref to
 * #/definitions or #/$defs, allOf/anyOf/oneOf/not). Returns 0, or -EINVAL
 * with err saying where ("init config: /a/b: expected an integer").
 */
int skr_json_schema_validate(const char *schema, const char *config, struct skr_err *err);

/* ---- Instances ------------------------------------------------------------------------- */

struct skr_tables;
struct skr_plugin_inst;

/* Called by the plugin's async handler (any thread). Fill err (PLUGIN_MAX_ERRLEN) on failure. */
typedef ss_plugin_rc (*skr_async_fn)(void *user,
                                     struct skr_plugin_inst *inst,
                                     const ss_plugin_event *evt,
                                     char *err);

struct skr_plugin_inst {
    struct skr_plugin *p;
    ss_plugin_t *state;
    struct skr_tables *tables; /* the source's tables host, or NULL */
    const char *config;        /* the init config as passed (JSON when schema'd) */
    char *config_owned;

    /* event codes this instance extracts from / parses (bitmaps of 65536 bits) */
    bool extract_all;
    bool parse_all;
    /* extract_fields results stay valid for the whole event (SAKER_EXTRACT_LIFETIME_EVENT):
     * the host keeps pointers to them instead of copies */
    bool extract_event_lifetime;
    uint8_t *extract_types;
    uint8_t *parse_types;

    /* async events: set by the owner of the instance before set_async_event_handler */
    skr_async_fn async_fn;
    void *async_user;

    void *user; /* the pipeline's per-instance context */
    char owner_err[PLUGIN_MAX_ERRLEN];
};

/*
 * Initialises a state of p with config (validated against the plugin's
 * init schema when it has one; "" becomes "{}"). tables, when not NULL, is
 * offered to plugins that parse or extract. On failure err names the
 * plugin and carries get_last_error; the state is destroyed.
 */
int skr_plugin_inst_init(struct skr_plugin_inst *inst,
                         struct skr_plugin *p,
                         const char *config,
                         struct skr_tables *tables,
                         struct skr_err *err);

/* Destroys the state (NULL-safe, idempotent). */
void skr_plugin_inst_fini(struct skr_plugin_inst *inst);

/* The plugin's last error text, never NULL. */
const char *skr_plugin_inst_last_error(const struct skr_plugin_inst *inst);

static inline bool skr_bitmap_get(const uint8_t *bm, uint16_t code)
{
    return (bm[code >> 3] >> (code & 7)) & 1;
}

static inline void skr_bitmap_set(uint8_t *bm, uint16_t code)
{
    bm[code >> 3] |= (uint8_t)(1u << (code & 7));
}

static inline bool skr_inst_extracts_type(const struct skr_plugin_inst *i, uint16_t code)
{
    return i->extract_all || skr_bitmap_get(i->extract_types, code);
}

static inline bool skr_inst_parses_type(const struct skr_plugin_inst *i, uint16_t code)
{
    return i->parse_all || skr_bitmap_get(i->parse_types, code);
}

/* get_owner_last_error for the inputs the host builds (owner = the instance). */
const char *skr_plugin_owner_last_error(ss_plugin_owner_t *o);

/* The async event handler to give plugins (forwards to inst->async_fn). */
ss_plugin_rc skr_plugin_async_handler(ss_plugin_owner_t *o, const ss_plugin_event *evt, char *err);

/* ---- Field registry ---------------------------------------------------------------------- */

/* Who extracts a field. */
enum skr_field_owner {
    SKR_FIELD_GENERIC, /* the core's evt.* fields for every source */
    SKR_FIELD_PLUGIN,
};

/* The core's generic fields. */
enum skr_generic_field {
    SKR_GEN_EVT_NUM,
    SKR_GEN_EVT_TIME,
    SKR_GEN_EVT_TIME_S,
    SKR_GEN_EVT_TIME_ISO8601,
    SKR_GEN_EVT_DATETIME,
    SKR_GEN_EVT_DATETIME_S,
    SKR_GEN_EVT_RAWTIME,
    SKR_GEN_EVT_RAWTIME_S,
    SKR_GEN_EVT_RAWTIME_NS,
    SKR_GEN_EVT_RELTIME,
    SKR_GEN_EVT_RELTIME_S,
    SKR_GEN_EVT_RELTIME_NS,
    SKR_GEN_EVT_PLUGINNAME,
    SKR_GEN_EVT_PLUGININFO,
    SKR_GEN_EVT_SOURCE,
    SKR_GEN_EVT_IS_ASYNC,
    SKR_GEN_EVT_ASYNCTYPE,
    SKR_GEN_EVT_HOSTNAME,
    SKR_GEN_EVT_TS,
    SKR_GEN_COUNT,
};

/* One field of one source. */
struct skr_field {
    uint32_t id; /* index in the registry */
    const struct skr_plugin_field *f;
    const char *source;
    enum skr_field_owner owner;
    const struct skr_plugin *plugin; /* SKR_FIELD_PLUGIN */
    size_t plugin_idx;               /* index of the plugin in the set given to the registry */
    uint32_t plugin_field;           /* index in the plugin's get_fields */
    uint32_t generic;                /* enum skr_generic_field */
};

/* One event type of a source. */
struct skr_event_type {
    const char *name;
    uint16_t code;
    uint8_t dir; /* '>' '<' or 0 */
    uint32_t flags;
};

struct skr_registry;

struct skr_registry *skr_registry_new(void);
void skr_registry_free(struct skr_registry *r);

/* Declares a source (idempotent); its generic fields come with it. */
int skr_registry_add_source(struct skr_registry *r, const char *source, struct skr_err *err);
/* Adds every field of p (index plugin_idx in the caller's set) to source. A name
 * already present in that source is an error naming both owners. */
int skr_registry_add_plugin(struct skr_registry *r,
                            const char *source,
                            const struct skr_plugin *p,
                            size_t plugin_idx,
                            struct skr_err *err);
/* Adds event types of source (copied). */
int skr_registry_add_event_types(struct skr_registry *r,
                                 const char *source,
                                 const struct skr_event_type *types,
                                 size_t n,
                                 struct skr_err *err);

size_t skr_registry_num_sources(const struct skr_registry *r);
const char *skr_registry_source(const struct skr_registry *r, size_t i);
bool skr_registry_has_source(const struct skr_registry *r, const char *source);
size_t skr_registry_num_fields(const struct skr_registry *r);
const struct skr_field *skr_registry_field(const struct skr_registry *r, uint32_t id);

/*
 * Resolves token[0..len) for source: the longest field name that is the
 * whole token, or a prefix of it followed by '.' for a field taking a dotted
 * argument. Sets *name_len. Returns the field or NULL.
 */
const struct skr_field *skr_registry_lookup(const struct skr_registry *r,
                                            const char *source,
                                            const char *token,
                                            size_t len,
                                            size_t *name_len);

/* Event codes a name means in source; writes up to max, returns how many exist. */
size_t skr_registry_event_codes(const struct skr_registry *r,
                                const char *source,
                                const char *name,
                                uint16_t *codes,
                                size_t max);
/* The event types of a source. */
const struct skr_event_type *skr_registry_event_types(const struct skr_registry *r,
                                                      const char *source,
                                                      size_t *n);

/*
 * The listing of `saker --list [SOURCE]`: text, or the JSON document
 * {"fields":[...],"event_types":{...}}. source NULL lists every source.
 * Returns -ENOENT when source is given and unknown.
 */
int skr_registry_list(const struct skr_registry *r,
                      const char *source,
                      bool json,
                      struct skr_strbuf *out);

/* Name of a field type code ("uint64", "string", ...), NULL when unknown. */
const char *skr_ftype_name(uint32_t type);
/* Code of a field type name, or 0. */
uint32_t skr_ftype_parse(const char *name);

/* ---- Tables host ------------------------------------------------------------------------ */

/*
 * The state tables of one event source. Plugins of that source offer tables
 * (add_table) and use each other's through host vtables that forward every
 * call to the owner's vtables. Used from the source's thread only.
 */
struct skr_tables *skr_tables_new(void);
void skr_tables_free(struct skr_tables *t);

/* The ss_plugin_init_tables_input to give an instance at init (host memory, stable). */
const ss_plugin_init_tables_input *skr_tables_init_input(struct skr_tables *t);
/* The reader/writer vtables for parse and extract inputs (host memory, stable). */
ss_plugin_table_reader_vtable_ext *skr_tables_reader(struct skr_tables *t);
ss_plugin_table_writer_vtable_ext *skr_tables_writer(struct skr_tables *t);
/* Forgets the per-event subtable handles (call after each event). */
void skr_tables_event_done(struct skr_tables *t);
/* Number of registered tables. */
size_t skr_tables_count(const struct skr_tables *t);

#endif /* SKR_PLUGIN_PLUGIN_H */
