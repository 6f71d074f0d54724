/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scalar types, enums and plain structs of the plugin ABI.
 *
 * Every name and value in this file is fixed by the Falco plugin API 3.x, so
 * a plugin built for Falco links against these definitions unchanged. Saker's
 * own additions live in <saker/plugin_ext.h>. Self-contained C99; the only
 * dependency is <stdint.h>.
 */
#ifndef SAKER_PLUGIN_TYPES_H
#define SAKER_PLUGIN_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 4-byte boolean: 0 is false, 1 is true. */
typedef uint32_t ss_plugin_bool;

/* Return codes of plugin entry points. */
typedef enum ss_plugin_rc {
    SS_PLUGIN_SUCCESS = 0,
    SS_PLUGIN_FAILURE = 1,
    SS_PLUGIN_TIMEOUT = -1, /* nothing available now; the caller retries later */
    SS_PLUGIN_EOF = 2,      /* the event stream has ended */
    SS_PLUGIN_NOT_SUPPORTED = 3,
} ss_plugin_rc;

/*
 * Field types of extracted values. The numbers equal the event-schema
 * parameter types (PT_*), so a field type and a parameter type share codes.
 * Saker accepts further codes from the same numbering (see plugin_ext.h).
 */
typedef enum ss_plugin_field_type {
    FTYPE_UINT64 = 8,
    FTYPE_STRING = 9,
    FTYPE_RELTIME = 20, /* nanoseconds, a duration */
    FTYPE_ABSTIME = 21, /* nanoseconds since the epoch */
    FTYPE_BOOL = 25,
    FTYPE_IPADDR = 40, /* 4 or 16 bytes; the length selects IPv4 or IPv6 */
    FTYPE_IPNET = 41,  /* address bytes only; compared as a network */
} ss_plugin_field_type;

/* How plugin_get_init_schema describes the init config. */
typedef enum ss_plugin_schema_type {
    SS_PLUGIN_SCHEMA_NONE = 0, /* the config is opaque text */
    SS_PLUGIN_SCHEMA_JSON = 1, /* the config is JSON matching a JSON Schema */
} ss_plugin_schema_type;

/* Types of state-table keys and fields. */
typedef enum ss_plugin_state_type {
    SS_PLUGIN_ST_INT8 = 1,
    SS_PLUGIN_ST_INT16 = 2,
    SS_PLUGIN_ST_INT32 = 3,
    SS_PLUGIN_ST_INT64 = 4,
    SS_PLUGIN_ST_UINT8 = 5,
    SS_PLUGIN_ST_UINT16 = 6,
    SS_PLUGIN_ST_UINT32 = 7,
    SS_PLUGIN_ST_UINT64 = 8,
    SS_PLUGIN_ST_STRING = 9,
    SS_PLUGIN_ST_TABLE = 10,
    SS_PLUGIN_ST_BOOL = 25,
} ss_plugin_state_type;

/* Severity of a message sent through the init input's log_fn. */
typedef enum ss_plugin_log_severity {
    SS_PLUGIN_LOG_SEV_FATAL = 1,
    SS_PLUGIN_LOG_SEV_CRITICAL = 2,
    SS_PLUGIN_LOG_SEV_ERROR = 3,
    SS_PLUGIN_LOG_SEV_WARNING = 4,
    SS_PLUGIN_LOG_SEV_NOTICE = 5,
    SS_PLUGIN_LOG_SEV_INFO = 6,
    SS_PLUGIN_LOG_SEV_DEBUG = 7,
    SS_PLUGIN_LOG_SEV_TRACE = 8,
} ss_plugin_log_severity;

/* Opaque handles. */
typedef void ss_plugin_t;       /* plugin state, returned by plugin_init */
typedef void ss_instance_t;     /* an open event stream, returned by plugin_open */
typedef void ss_plugin_owner_t; /* the host */
typedef void ss_plugin_table_t; /* a state table */
typedef void ss_plugin_table_entry_t;
typedef void ss_plugin_table_field_t;
typedef void ss_plugin_table_iterator_state_t;
typedef void ss_plugin_routine_t;
typedef void ss_plugin_routine_state_t;

/* One value of a state-table key or field. */
typedef union ss_plugin_state_data {
    int8_t s8;
    int16_t s16;
    int32_t s32;
    int64_t s64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    const char *str;
    ss_plugin_bool b;
    ss_plugin_table_t *table;
} ss_plugin_state_data;

/* Name and key type of a registered table. */
typedef struct ss_plugin_table_info {
    const char *name;
    ss_plugin_state_type key_type;
} ss_plugin_table_info;

/* Name and type of one field of a table's entries. */
typedef struct ss_plugin_table_fieldinfo {
    const char *name;
    ss_plugin_state_type field_type;
    ss_plugin_bool read_only;
} ss_plugin_table_fieldinfo;

/*
 * Event header, packed, 26 bytes, host byte order. The header is followed by
 * nparams length words (uint16_t, or uint32_t for large-payload event types
 * such as 322 and 402), then the parameter bytes back to back.
 */
#pragma pack(push, 1)
typedef struct ss_plugin_event {
    uint64_t ts;      /* ns since the epoch; UINT64_MAX asks the host to stamp it */
    uint64_t tid;     /* thread id; UINT64_MAX means none */
    uint32_t len;     /* whole event length, header included */
    uint16_t type;    /* event code */
    uint32_t nparams; /* number of parameters */
} ss_plugin_event;
#pragma pack(pop)

/* A length-prefixed byte buffer (IP addresses and networks, raw data). */
typedef struct ss_plugin_byte_buffer {
    uint32_t len;
    const void *ptr;
} ss_plugin_byte_buffer;

/* Metrics (plugin_get_metrics). */
typedef enum ss_plugin_metric_value_type {
    SS_PLUGIN_METRIC_VALUE_TYPE_U32 = 0,
    SS_PLUGIN_METRIC_VALUE_TYPE_S32 = 1,
    SS_PLUGIN_METRIC_VALUE_TYPE_U64 = 2,
    SS_PLUGIN_METRIC_VALUE_TYPE_S64 = 3,
    SS_PLUGIN_METRIC_VALUE_TYPE_D = 4,
    SS_PLUGIN_METRIC_VALUE_TYPE_F = 5,
    SS_PLUGIN_METRIC_VALUE_TYPE_I = 6,
} ss_plugin_metric_value_type;

typedef enum ss_plugin_metric_type {
    SS_PLUGIN_METRIC_TYPE_MONOTONIC = 0,
    SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC = 1,
} ss_plugin_metric_type;

typedef union ss_plugin_metric_value {
    uint32_t u32;
    int32_t s32;
    uint64_t u64;
    int64_t s64;
    double d;
    float f;
    int i;
} ss_plugin_metric_value;

typedef struct ss_plugin_metric {
    const char *name;
    ss_plugin_metric_type type;
    ss_plugin_metric_value value;
    ss_plugin_metric_value_type value_type;
} ss_plugin_metric;

#ifdef __cplusplus
}
#endif

#endif /* SAKER_PLUGIN_TYPES_H */
