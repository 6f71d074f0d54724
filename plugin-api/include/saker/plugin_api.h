/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Saker plugin ABI, base part: binary compatible with the Falco plugin
 * API 3.12.0. A plugin built for Falco loads in Saker unchanged, and a Saker
 * plugin that exports no symbol of <saker/plugin_ext.h> loads in Falco.
 *
 * A plugin is a shared library exporting C functions named plugin_<op>. The
 * host dlopen()s it with RTLD_NOW|RTLD_LOCAL and resolves each symbol; a
 * symbol that is not exported is simply absent. Capabilities follow from
 * which symbols are present:
 *
 *   common      get_required_api_version, get_version, get_name,
 *               get_description, get_contact, init, destroy, get_last_error
 *               (all required); get_init_schema, set_config, get_metrics,
 *               get_required_event_schema_version (optional)
 *   sourcing    open + close + next_batch; get_id and get_event_source name
 *               a plugin source (both or neither)
 *   extraction  get_fields + extract_fields
 *   parsing     parse_event
 *   async       get_async_events + set_async_event_handler
 *   capture     capture_open + capture_close
 *
 * The signature of each symbol is the matching member of struct plugin_api
 * at the end of this file; its comment says who calls it, when, from which
 * thread and who owns what it returns.
 *
 * Memory rules, for every symbol:
 *  - The plugin owns every pointer it returns. It stays valid until the next
 *    call of the same symbol on the same state (or instance), or until
 *    close()/destroy(), whichever comes first. Strings returned by the
 *    get_name/description/contact/version/required_api_version family are
 *    static and valid for the life of the library.
 *  - The host owns every pointer it passes in. The plugin may read it during
 *    the call only, unless a comment says it may be stored (owner, log_fn).
 *  - Neither side frees the other's memory.
 *
 * Threads: unless a comment says otherwise, the host calls a plugin state
 * from one thread at a time. Saker runs each event source in its own thread
 * with its own plugin states, as Falco does, so one library may have several
 * live states at once: keep all state behind ss_plugin_t, never in globals.
 */
#ifndef SAKER_PLUGIN_API_H
#define SAKER_PLUGIN_API_H

#include <saker/plugin_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The plugin API version this host offers. */
#define PLUGIN_API_VERSION_MAJOR 3
#define PLUGIN_API_VERSION_MINOR 12
#define PLUGIN_API_VERSION_PATCH 0

#ifndef SAKER_STRINGIFY
#define SAKER_STRINGIFY_(x) #x
#define SAKER_STRINGIFY(x)  SAKER_STRINGIFY_(x)
#endif
#define PLUGIN_API_VERSION_STR                \
    SAKER_STRINGIFY(PLUGIN_API_VERSION_MAJOR) \
    "." SAKER_STRINGIFY(PLUGIN_API_VERSION_MINOR) "." SAKER_STRINGIFY(PLUGIN_API_VERSION_PATCH)

/* Largest error text, NUL included, that the host reads from a plugin. */
#define PLUGIN_MAX_ERRLEN 1024

/* Event codes of plugin and async events. */
#define PPME_PLUGINEVENT_E 322
#define PPME_ASYNCEVENT_E  402

/*
 * Offset of the payload inside a plugin event (code 322): the 26-byte header,
 * two 4-byte parameter lengths and the 4-byte plugin id.
 */
#define PLUGIN_EVENT_PAYLOAD_OFFSET 38

/*
 * One event handed to a plugin. Host-owned, read-only, valid for the call.
 * evt may not be the buffer the plugin returned from next_batch.
 */
typedef struct ss_plugin_event_input {
    const ss_plugin_event *evt;
    uint64_t evtnum;    /* host-assigned, increasing, may have gaps */
    const char *evtsrc; /* "syscall" or a plugin source name */
} ss_plugin_event_input;

/* ---- State tables ------------------------------------------------------ */

/* Deprecated layout kept for the by-value members below; use the _ext form. */
typedef struct {
    ss_plugin_table_fieldinfo *(*list_table_fields)(ss_plugin_table_t *t, uint32_t *nfields);
    ss_plugin_table_field_t *(*get_table_field)(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type data_type);
    ss_plugin_table_field_t *(*add_table_field)(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type data_type);
} ss_plugin_table_fields_vtable;

/*
 * Field discovery on a table. Accessors returned here are owned by the
 * table's owner, are obtained during plugin_init only, and stay valid for the
 * life of the table.
 */
typedef struct {
    /* Every field of the table's entries; array owned by the table owner. NULL on error. */
    ss_plugin_table_fieldinfo *(*list_table_fields)(ss_plugin_table_t *t, uint32_t *nfields);
    /* Accessor of an existing field of that name and type, or NULL. */
    ss_plugin_table_field_t *(*get_table_field)(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type data_type);
    /* Defines a new field on every entry and returns its accessor, or NULL. */
    ss_plugin_table_field_t *(*add_table_field)(ss_plugin_table_t *t,
                                                const char *name,
                                                ss_plugin_state_type data_type);
} ss_plugin_table_fields_vtable_ext;

/* Deprecated layout kept for the by-value members below; use the _ext form. */
typedef struct {
    const char *(*get_table_name)(ss_plugin_table_t *t);
    uint64_t (*get_table_size)(ss_plugin_table_t *t);
    ss_plugin_table_entry_t *(*get_table_entry)(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key);
    ss_plugin_rc (*read_entry_field)(ss_plugin_table_t *t,
                                     ss_plugin_table_entry_t *e,
                                     const ss_plugin_table_field_t *f,
                                     ss_plugin_state_data *out);
} ss_plugin_table_reader_vtable;

/* Called once per entry by iterate_entries; return 0 to stop. */
typedef ss_plugin_bool (*ss_plugin_table_iterator_func_t)(ss_plugin_table_iterator_state_t *s,
                                                          ss_plugin_table_entry_t *e);

/* Read access to a table. */
typedef struct {
    /* The table's name (owner's memory) or NULL. */
    const char *(*get_table_name)(ss_plugin_table_t *t);
    /* Number of entries, or (uint64_t)-1 on error. */
    uint64_t (*get_table_size)(ss_plugin_table_t *t);
    /* The entry at key, or NULL. A non-NULL entry must be given back with release_table_entry. */
    ss_plugin_table_entry_t *(*get_table_entry)(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key);
    /* Reads one field of an entry into *out. Strings in *out are the owner's memory, valid
     * until the entry is released or written. */
    ss_plugin_rc (*read_entry_field)(ss_plugin_table_t *t,
                                     ss_plugin_table_entry_t *e,
                                     const ss_plugin_table_field_t *f,
                                     ss_plugin_state_data *out);
    /* Gives back an entry obtained from get_table_entry or add_table_entry. */
    void (*release_table_entry)(ss_plugin_table_t *t, ss_plugin_table_entry_t *e);
    /* Calls it for each entry; returns 0 on failure or when it stopped early. */
    ss_plugin_bool (*iterate_entries)(ss_plugin_table_t *t,
                                      ss_plugin_table_iterator_func_t it,
                                      ss_plugin_table_iterator_state_t *s);
} ss_plugin_table_reader_vtable_ext;

/* Deprecated layout kept for the by-value members below; use the _ext form. */
typedef struct {
    ss_plugin_rc (*clear_table)(ss_plugin_table_t *t);
    ss_plugin_rc (*erase_table_entry)(ss_plugin_table_t *t, const ss_plugin_state_data *key);
    ss_plugin_table_entry_t *(*create_table_entry)(ss_plugin_table_t *t);
    void (*destroy_table_entry)(ss_plugin_table_t *t, ss_plugin_table_entry_t *e);
    ss_plugin_table_entry_t *(*add_table_entry)(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key,
                                                ss_plugin_table_entry_t *entry);
    ss_plugin_rc (*write_entry_field)(ss_plugin_table_t *t,
                                      ss_plugin_table_entry_t *e,
                                      const ss_plugin_table_field_t *f,
                                      const ss_plugin_state_data *in);
} ss_plugin_table_writer_vtable;

/* Write access to a table. */
typedef struct {
    /* Removes every entry. */
    ss_plugin_rc (*clear_table)(ss_plugin_table_t *t);
    /* Removes the entry at key. */
    ss_plugin_rc (*erase_table_entry)(ss_plugin_table_t *t, const ss_plugin_state_data *key);
    /* A new detached entry owned by the caller until add_table_entry or destroy_table_entry. */
    ss_plugin_table_entry_t *(*create_table_entry)(ss_plugin_table_t *t);
    /* Frees an entry from create_table_entry that was never added. */
    void (*destroy_table_entry)(ss_plugin_table_t *t, ss_plugin_table_entry_t *e);
    /* Inserts (or replaces) the entry at key; the table takes ownership. The returned entry
     * must be released. */
    ss_plugin_table_entry_t *(*add_table_entry)(ss_plugin_table_t *t,
                                                const ss_plugin_state_data *key,
                                                ss_plugin_table_entry_t *entry);
    /* Writes one field of an entry; strings are copied by the table. */
    ss_plugin_rc (*write_entry_field)(ss_plugin_table_t *t,
                                      ss_plugin_table_entry_t *e,
                                      const ss_plugin_table_field_t *f,
                                      const ss_plugin_state_data *in);
} ss_plugin_table_writer_vtable_ext;

/*
 * A table a plugin owns and offers to the host and other plugins through
 * add_table. Every pointer is the plugin's and must outlive the plugin state.
 */
typedef struct {
    const char *name;
    ss_plugin_state_type key_type;
    ss_plugin_table_t *table;             /* passed back to every callback below */
    ss_plugin_table_reader_vtable reader; /* deprecated */
    ss_plugin_table_writer_vtable writer; /* deprecated */
    ss_plugin_table_fields_vtable fields; /* deprecated */
    ss_plugin_table_reader_vtable_ext *reader_ext;
    ss_plugin_table_writer_vtable_ext *writer_ext;
    ss_plugin_table_fields_vtable_ext *fields_ext;
} ss_plugin_table_input;

/*
 * Table services offered at init to plugins with the parsing or extraction
 * capability. Call them only during plugin_init.
 */
typedef struct {
    /* Every registered table; array owned by the host. */
    ss_plugin_table_info *(*list_tables)(ss_plugin_owner_t *o, uint32_t *ntables);
    /* The table of that name and key type, or NULL. */
    ss_plugin_table_t *(*get_table)(ss_plugin_owner_t *o,
                                    const char *name,
                                    ss_plugin_state_type key_type);
    /* Registers a table the plugin owns (see ss_plugin_table_input). */
    ss_plugin_rc (*add_table)(ss_plugin_owner_t *o, const ss_plugin_table_input *in);
    ss_plugin_table_fields_vtable fields; /* deprecated */
    ss_plugin_table_fields_vtable_ext *fields_ext;
    ss_plugin_table_reader_vtable_ext *reader_ext;
    ss_plugin_table_writer_vtable_ext *writer_ext;
} ss_plugin_init_tables_input;

/* ---- Inputs ------------------------------------------------------------ */

/*
 * Sends one message to the host's log. component NULL means the plugin's
 * name; msg needs no trailing newline. Thread-safe; may be stored.
 */
typedef void (*ss_plugin_log_fn_t)(ss_plugin_owner_t *o,
                                   const char *component,
                                   const char *msg,
                                   ss_plugin_log_severity sev);

/* What plugin_init receives. Host-owned; owner and log_fn may be stored. */
typedef struct ss_plugin_init_input {
    const char *config; /* init config: opaque text, or JSON when the plugin has a JSON schema */
    ss_plugin_owner_t *owner;
    const char *(*get_owner_last_error)(ss_plugin_owner_t *o); /* NULL result: no error */
    const ss_plugin_init_tables_input *tables; /* NULL unless parsing or extraction */
    ss_plugin_log_fn_t log_fn;
} ss_plugin_init_input;

/*
 * Per-field positions of extracted values inside the event (API 3.11).
 * Both arrays are num_fields long and allocated by the plugin.
 */
typedef struct ss_plugin_extract_value_offsets {
    uint32_t *start;  /* offset from the start of the event header, or 0 */
    uint32_t *length; /* length in bytes, or 0; {0,0} means no offset */
} ss_plugin_extract_value_offsets;

/* One field request (input) and its values (output). 64 bytes on LP64. */
typedef struct ss_plugin_extract_field {
    union {
        const char **str; /* FTYPE_STRING */
        uint64_t *u64;    /* FTYPE_UINT64, FTYPE_RELTIME, FTYPE_ABSTIME */
        uint32_t *u32;
        ss_plugin_bool *boolean;    /* FTYPE_BOOL */
        ss_plugin_byte_buffer *buf; /* FTYPE_IPADDR, FTYPE_IPNET */
    } res;                          /* output: array of res_len values, plugin memory */
    uint64_t res_len;               /* output: 0 = no value; at most 1 unless a list */
    uint32_t field_id;              /* input: index of the field in get_fields */
    const char *field;              /* input: field name */
    const char *arg_key;            /* input: string argument or NULL */
    uint64_t arg_index;             /* input: numeric argument or 0 */
    ss_plugin_bool arg_present;     /* input: 1 when an argument was given */
    uint32_t ftype;                 /* input: the field's type */
    ss_plugin_bool flist;           /* input: the field is a list */
} ss_plugin_extract_field;

/* What plugin_extract_fields receives. */
typedef struct ss_plugin_field_extract_input {
    ss_plugin_owner_t *owner;
    const char *(*get_owner_last_error)(ss_plugin_owner_t *o);
    uint32_t num_fields;
    ss_plugin_extract_field *fields;            /* num_fields requests, filled in by the plugin */
    ss_plugin_table_reader_vtable table_reader; /* deprecated */
    ss_plugin_table_reader_vtable_ext *table_reader_ext;
    ss_plugin_extract_value_offsets *value_offsets; /* optional (3.11); may be NULL */
} ss_plugin_field_extract_input;

/* What plugin_parse_event receives. */
typedef struct ss_plugin_event_parse_input {
    ss_plugin_owner_t *owner;
    const char *(*get_owner_last_error)(ss_plugin_owner_t *o);
    ss_plugin_table_reader_vtable table_reader; /* deprecated */
    ss_plugin_table_writer_vtable table_writer; /* deprecated */
    ss_plugin_table_reader_vtable_ext *table_reader_ext;
    ss_plugin_table_writer_vtable_ext *table_writer_ext;
} ss_plugin_event_parse_input;

/* What plugin_set_config receives. */
typedef struct ss_plugin_set_config_input {
    const char *config;
} ss_plugin_set_config_input;

/*
 * Injects an async event (code 402) into the host's stream. Thread-safe.
 * The host copies the event and sets its plugin id; ts UINT64_MAX asks the
 * host to stamp it. err, when not NULL, is a plugin-owned buffer of
 * PLUGIN_MAX_ERRLEN bytes the host fills on failure.
 */
typedef ss_plugin_rc (*ss_plugin_async_event_handler_t)(ss_plugin_owner_t *o,
                                                        const ss_plugin_event *evt,
                                                        char *err);

/* A routine the host re-runs on its worker threads until it returns 0. */
typedef ss_plugin_bool (*ss_plugin_routine_fn_t)(ss_plugin_t *s, ss_plugin_routine_state_t *i);

typedef struct {
    ss_plugin_routine_t *(*subscribe)(ss_plugin_owner_t *o,
                                      ss_plugin_routine_fn_t f,
                                      ss_plugin_routine_state_t *i); /* NULL on failure */
    ss_plugin_rc (*unsubscribe)(ss_plugin_owner_t *o, ss_plugin_routine_t *r);
} ss_plugin_routine_vtable;

/* What plugin_capture_open / plugin_capture_close receive. */
typedef struct ss_plugin_capture_listen_input {
    ss_plugin_owner_t *owner;
    ss_plugin_routine_vtable *routine;
    ss_plugin_table_reader_vtable_ext *table_reader_ext;
    ss_plugin_table_writer_vtable_ext *table_writer_ext;
    const char *(*get_owner_last_error)(ss_plugin_owner_t *o);
} ss_plugin_capture_listen_input;

/* ---- The symbols -------------------------------------------------------- */

/*
 * One member per exported symbol plugin_<member>, in the ABI's order. The
 * host fills this table from dlsym (or takes it from memory for plugins
 * linked into a test) and never writes into the plugin's own memory.
 */
typedef struct plugin_api {
    /* Required. Called first, from the loading thread. The API version the plugin was
     * built for, "M.m.p": the host accepts it when M equals PLUGIN_API_VERSION_MAJOR and
     * m.p is not newer than what the host offers. Static string. */
    const char *(*get_required_api_version)(void);

    /* Optional. Called at load. Sets *schema_type and returns the JSON Schema (an object)
     * of the init config; the host validates the config against it before init. Static
     * or plugin-owned until the next call. */
    const char *(*get_init_schema)(ss_plugin_schema_type *schema_type);

    /* Required. Called once per plugin state, from the loading thread. Must set *rc. May
     * return a state together with a failure so the host can read get_last_error; the
     * host then calls destroy on it. Never returns the same pointer twice unless it was
     * destroyed in between. */
    ss_plugin_t *(*init)(const ss_plugin_init_input *input, ss_plugin_rc *rc);

    /* Required. Frees the state. Called once per non-NULL state, last. */
    void (*destroy)(ss_plugin_t *s);

    /* Required. Human-readable text of the latest failure on this state. Plugin-owned. */
    const char *(*get_last_error)(ss_plugin_t *s);

    /* Required. Static identity strings. The name is the plugin's identity everywhere and
     * must be unique among loaded plugins; the version is semver "M.m.p". */
    const char *(*get_name)(void);
    const char *(*get_description)(void);
    const char *(*get_contact)(void);
    const char *(*get_version)(void);

    /* Sourcing. A plugin source has a non-zero id and a non-empty source name; a source
     * with neither (id 0) feeds the "syscall" source and may emit any event code. */
    uint32_t (*get_id)(void);
    const char *(*get_event_source)(void);

    /* Sourcing, required for the capability. Called from the source's thread. params is
     * the configured open_params. Must set *rc; instance pointers are unique until
     * closed. */
    ss_instance_t *(*open)(ss_plugin_t *s, const char *params, ss_plugin_rc *rc);

    /* Sourcing, required. Releases everything the instance owns. s or h may be NULL. */
    void (*close)(ss_plugin_t *s, ss_instance_t *h);

    /* Sourcing, optional. JSON array of suggested open params:
     * [{"value": "...", "desc": "...", "separator": "..."}]. Must set *rc. */
    const char *(*list_open_params)(ss_plugin_t *s, ss_plugin_rc *rc);

    /* Sourcing, optional. Progress in hundredths of a percent (0..10000); may return a
     * richer text, owned by the instance. May be called concurrently for distinct
     * instances. */
    const char *(*get_progress)(ss_plugin_t *s, ss_instance_t *h, uint32_t *progress_pct);

    /* Sourcing, optional. Text of one event of the plugin's own source (evt.plugininfo).
     * Plugin-owned until the next call on the state. */
    const char *(*event_to_string)(ss_plugin_t *s, const ss_plugin_event_input *evt);

    /* Sourcing, required. Called in a loop from the source's thread. Sets *evts to an
     * array of *nevts event pointers, all plugin-owned until the next next_batch or
     * close on that instance. SUCCESS needs at least one event; TIMEOUT means nothing
     * now; EOF ends the stream; FAILURE stops the source with get_last_error. Events may
     * come with a non-SUCCESS code: they are delivered first. A plugin source emits only
     * code-322 events carrying its own id (0 is replaced by it). */
    ss_plugin_rc (*next_batch)(ss_plugin_t *s,
                               ss_instance_t *h,
                               uint32_t *nevts,
                               ss_plugin_event ***evts);

    /* Extraction, optional. Called once after init: the event codes the plugin extracts
     * from (count in *numtypes). Absent or empty: every code when the plugin is compatible
     * with "syscall", else code 322 only. Note the argument order. */
    uint16_t *(*get_extract_event_types)(uint32_t *numtypes, ss_plugin_t *s);

    /* Extraction, optional. JSON array of compatible source names; empty means all (a
     * plugin source is always compatible with its own source). */
    const char *(*get_extract_event_sources)(void);

    /* Extraction, required. JSON array of fields: {"name", "type", "desc", "display",
     * "isList", "arg": {"isRequired", "isIndex", "isKey"}, "properties", "addOutput"}.
     * Static or valid for the life of the library. */
    const char *(*get_fields)(void);

    /* Extraction, required. Called from the thread of the source the event belongs to,
     * after every parse_event of that event. Fills in->fields[i].res / res_len; output
     * memory is the plugin's until the next extract_fields call on the state. */
    ss_plugin_rc (*extract_fields)(ss_plugin_t *s,
                                   const ss_plugin_event_input *evt,
                                   const ss_plugin_field_extract_input *in);

    /* Parsing, optional. Event codes the plugin parses (see get_extract_event_types). */
    uint16_t *(*get_parse_event_types)(uint32_t *numtypes, ss_plugin_t *s);

    /* Parsing, optional. JSON array of compatible source names; empty means all. */
    const char *(*get_parse_event_sources)(void);

    /* Parsing, required. Called at most once per event, from its source's thread, before
     * any extraction of that event; may update the plugin's state and write tables. */
    ss_plugin_rc (*parse_event)(ss_plugin_t *s,
                                const ss_plugin_event_input *evt,
                                const ss_plugin_event_parse_input *in);

    /* Async, optional. JSON array of sources the async events go into; empty means all. */
    const char *(*get_async_event_sources)(void);

    /* Async, required. Non-empty JSON array of the async event names the plugin emits. */
    const char *(*get_async_events)(void);

    /* Async, required. The host hands over its handler; the plugin may call it from any
     * thread until the handler is replaced. handler NULL means stop: the plugin stops and
     * joins its producers before returning. */
    ss_plugin_rc (*set_async_event_handler)(ss_plugin_t *s,
                                            ss_plugin_owner_t *owner,
                                            const ss_plugin_async_event_handler_t handler);

    /* Async, optional (3.10). Emit the plugin's current state as async events through
     * handler, synchronously (used when a capture file starts). */
    ss_plugin_rc (*dump_state)(ss_plugin_t *s,
                               ss_plugin_owner_t *owner,
                               const ss_plugin_async_event_handler_t handler);

    /* Optional (3.4). Runtime reconfiguration; FAILURE rejects the config. */
    ss_plugin_rc (*set_config)(ss_plugin_t *s, const ss_plugin_set_config_input *i);

    /* Optional (3.6). Plugin-owned array of metrics, count in *num_metrics (0 allowed). */
    ss_plugin_metric *(*get_metrics)(ss_plugin_t *s, uint32_t *num_metrics);

    /* Capture listening (3.7). Notifications when the host's capture starts and stops. */
    ss_plugin_rc (*capture_open)(ss_plugin_t *s, const ss_plugin_capture_listen_input *i);
    ss_plugin_rc (*capture_close)(ss_plugin_t *s, const ss_plugin_capture_listen_input *i);

    /* Optional (3.12). Event-schema version "M.m.p" the plugin needs for non-plugin
     * events; NULL or absent means 3.0.0. Called after init. */
    const char *(*get_required_event_schema_version)(ss_plugin_t *s);
} plugin_api;

#ifdef __cplusplus
}
#endif

#include <saker/plugin_ext.h>

#endif /* SAKER_PLUGIN_API_H */
