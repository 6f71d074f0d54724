/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal types shared by the stages of the rule engine: compiled operands,
 * checks and condition trees (compile.c, eval.c), output formats (format.c),
 * compiled rules and rulesets (ruleset.c), diagnostics (diags.c). No other
 * module includes this header.
 */
#ifndef SKR_RULES_RULES_INT_H
#define SKR_RULES_RULES_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/ast.h"
#include "rules/rules.h"
#include "util/arena.h"
#include "util/strbuf.h"

/* ---- Types ------------------------------------------------------------------------ */

/* How values of a type compare. */
enum skr_cls {
    SKR_CLS_NONE = 0,
    SKR_CLS_U64,  /* unsigned integers, port, reltime, abstime */
    SKR_CLS_S64,  /* signed integers */
    SKR_CLS_DBL,  /* double */
    SKR_CLS_BOOL, /* bool (u64 0/1) */
    SKR_CLS_STR,  /* string, fspath */
    SKR_CLS_BUF,  /* bytebuf */
    SKR_CLS_IP,   /* ipaddr: 4 or 16 bytes */
    SKR_CLS_NET,  /* ipnet: the event side is an address; constants are networks */
};

enum skr_cls skr_type_class(uint32_t type);
/* "string", "uint64", ... ("unknown" for unknown codes). */
const char *skr_type_name(uint32_t type);
/* Parses a type name of the fields JSON; 0 if unknown. */
uint32_t skr_type_parse(const char *name);

/* ---- Compiled operands --------------------------------------------------------------- */

enum skr_opd_kind {
    SKR_OPD_FIELD = 1, /* a field of the event */
    SKR_OPD_XFORM,     /* a transformer applied to args */
    SKR_OPD_CONST,     /* a literal (transformer argument) */
    SKR_OPD_TLIST,     /* a literal list of operands (transformer argument) */
};

struct skr_operand {
    uint8_t kind;                      /* enum skr_opd_kind */
    uint8_t xf;                        /* enum skr_xform for SKR_OPD_XFORM */
    bool is_list;                      /* yields 0..N values by design */
    bool has_sel;                      /* getopt(...)[c] */
    char sel;                          /* the getopt selector */
    uint32_t type;                     /* enum skr_ftype of the result */
    uint32_t fflags;                   /* SKR_FIELD_* of a field */
    uint32_t cost;                     /* skr_field_desc.cost; the highest of its args */
    const struct skr_extract_req *req; /* SKR_OPD_FIELD */
    struct skr_operand **args;         /* SKR_OPD_XFORM, SKR_OPD_TLIST */
    uint32_t nargs;
    struct skr_value cval; /* SKR_OPD_CONST (a string) */
    const char *text;      /* as written ("proc.aname[2]", "toupper(user.name)") */
};

/* ---- Checks and condition trees ------------------------------------------------------ */

struct skr_strset;
struct skr_pmatch;
struct skr_check;
struct skr_eval_ctx;

/* A check specialised for one value against its constants (eval.c picks it). */
typedef bool (*skr_match1_fn)(struct skr_eval_ctx *ctx,
                              const struct skr_check *chk,
                              const struct skr_value *v);

struct skr_check {
    struct skr_operand *lhs;
    struct skr_operand *rhs; /* a field or transformer right-hand side, or NULL */
    uint8_t op;              /* enum skr_op; "==" is folded into "=" */
    uint8_t mod;             /* enum skr_op_modifier */
    uint8_t cls;             /* enum skr_cls of the left-hand side after transformers */
    bool lhs_list;
    uint32_t nvals;
    struct skr_value *vals; /* constants, parsed for cls (nets: p = address, u64 = bits) */
    struct skr_strset *set; /* in/intersects over strings and buffers */
    struct skr_pmatch *pm;  /* pmatch */
    void **re;              /* regex: one pcre2_code per value */
    skr_match1_fn match;    /* NULL: the general path */
    const struct skr_extract_req *lhs_req; /* the left-hand field, when it is one */
    /* An evt.type test decided by the event code: bit c of typebits says whether code c
     * is among the tested types; the result is that bit, inverted for "!=". Codes at or
     * above ntypebits are not among them. NULL: the test extracts evt.type. */
    const uint64_t *typebits;
    uint32_t ntypebits;
    bool type_neg;
};

/* Picks chk->match once the check is compiled. */
void skr_check_specialize(struct skr_check *chk);

enum skr_cnode_kind {
    SKR_CN_AND = 1,
    SKR_CN_OR,
    SKR_CN_NOT,
    SKR_CN_CHECK,
    SKR_CN_CONST,
    SKR_CN_MEMO /* kids[0], a macro's body shared by several rules: its result is kept for
                   the rest of the event in memo slot `slot` (0: not kept) */
};

struct skr_cnode {
    uint8_t kind;
    bool cval;     /* SKR_CN_CONST */
    uint32_t slot; /* SKR_CN_MEMO */
    uint32_t n;
    struct skr_cnode **kids;
    struct skr_check *chk;
};

/* A condition as a branch program: the same checks in the same order with the same
 * short-circuit, as a flat array of forward jumps instead of a tree walked by
 * recursion (prog.c). */
enum skr_ins_op {
    SKR_INS_CHECK = 1, /* pc = check ? t : f */
    SKR_INS_JUMP,      /* pc = t */
    SKR_INS_MEMO,      /* memo slot kept for this event: pc = value ? t : f; else pc + 1 */
    SKR_INS_SET        /* keep val in memo slot; pc = t */
};

#define SKR_PC_FALSE 0xfffffffeu
#define SKR_PC_TRUE  0xffffffffu

struct skr_ins {
    uint8_t op;
    bool val;
    uint32_t slot;
    uint32_t t, f;
    const struct skr_check *chk;
};

struct skr_prog {
    uint32_t n;
    struct skr_ins ins[];
};

/* The program of a compiled condition (memo slots already assigned), in arena. NULL when
 * out of memory (the tree is evaluated instead). */
struct skr_prog *skr_prog_build(struct skr_arena *arena, const struct skr_cnode *cond);
/* Same result as skr_eval_cond on the condition it was built from. */
bool skr_eval_prog(struct skr_eval_ctx *ctx, const struct skr_prog *prog);

/* ---- Output formats ---------------------------------------------------------------------- */

struct skr_fmt_seg {
    const char *lit; /* literal text (NULL for a field) */
    uint32_t lit_len;
    uint32_t width; /* %W: pad or cut to W characters; 0: none */
    uint32_t field; /* index into skr_format.opds */
};

struct skr_named_fmt;

struct skr_format {
    struct skr_fmt_seg *segs;
    uint32_t nsegs;
    struct skr_operand **opds; /* distinct output fields in order of first use */
    uint32_t nopds;
    struct skr_named_fmt *named; /* extra output fields "name: format" (append_output) */
    uint32_t nnamed;
};

struct skr_named_fmt {
    const char *name;
    struct skr_format fmt;
};

/* ---- Compile context ------------------------------------------------------------------------ */

/* A problem found while compiling one condition or output. */
struct skr_cmsg {
    bool warning;
    const char *code;   /* LOAD_* */
    char *msg;          /* arena */
    struct skr_pos pos; /* inside the text; line 0 when unknown */
    const char *deprecated_field;
};

struct skr_compiler {
    struct skr_arena *arena; /* ruleset memory */
    const struct skr_rules_host *host;
    const char *source;
    /* Field requests, deduplicated into slots. */
    struct skr_extract_req **reqs;
    uint32_t nreqs;
    uint32_t reqs_cap;
    /* Messages of the current compile (errors stop it; warnings accumulate). */
    struct skr_cmsg *msgs;
    uint32_t nmsgs;
    uint32_t msgs_cap;
    bool failed;
    bool in_output;
    const struct skr_ast *macro_ref; /* the outermost macro being compiled, if any */
    /* PCRE2 programs made so far (owned; a ruleset takes them over). */
    void **codes;
    uint32_t ncodes;
    uint32_t codes_cap;
    /* Compiled macro bodies by (resolved body, source): one shared node per macro. */
    struct skr_memo_ent *memos;
    uint32_t nmemos;
    uint32_t memos_cap;
};

/* Gives the macro bodies referenced more than once their memo slots (1..N). Returns N. */
uint32_t skr_compiler_assign_memos(struct skr_compiler *c);

void skr_compiler_init(struct skr_compiler *c,
                       struct skr_arena *arena,
                       const struct skr_rules_host *host);
void skr_compiler_fini(struct skr_compiler *c);
/* Frees PCRE2 programs and the array holding them. */
void skr_compiler_free_codes(void **codes, uint32_t n);
/* Forgets the messages of the previous compile. */
void skr_compiler_reset_msgs(struct skr_compiler *c);

/* Compiles a macro-resolved condition for source. NULL on error (see c->msgs). */
struct skr_cnode *skr_compile_cond(struct skr_compiler *c,
                                   const char *source,
                                   const struct skr_ast *ast);
/* Compiles an output format. Returns 0 or a negative errno (see c->msgs). */
int skr_compile_format(struct skr_compiler *c,
                       const char *source,
                       const char *text,
                       size_t len,
                       struct skr_format *out);
/* Compiles one output field expression (a field or a transformer). */
int skr_compile_output_operand(struct skr_compiler *c,
                               const struct skr_ast *n,
                               struct skr_operand **out);
/* Renders f for the current event (missing values as <NA>); fields as for skr_rule_render. */
int skr_format_render(struct skr_eval_ctx *ctx,
                      const struct skr_format *f,
                      struct skr_strbuf *out,
                      const struct skr_out_field **fields,
                      size_t *nfields);
/* Adds a field expression to f's output fields (not to its text). */
int skr_format_add_field(struct skr_compiler *c,
                         const char *source,
                         struct skr_format *f,
                         const char *expr);
/* Adds an output field named name whose value is the string format text renders to (not
 * to f's text). A later name replaces an earlier one. */
int skr_format_add_named(struct skr_compiler *c,
                         const char *source,
                         struct skr_format *f,
                         const char *name,
                         const char *text);
/* The compiled format as text ("%proc.name x=%toupper(user.name)"). */
void skr_format_print(const struct skr_format *f, struct skr_strbuf *out);
/* Compiles a field expression (exception fields, "tolower(proc.name)") to check it. */
int skr_compile_check_lhs(struct skr_compiler *c, const char *source, const struct skr_ast *lhs);

/* Adds a message; returns NULL for use in returns. */
void *skr_compiler_msg(struct skr_compiler *c,
                       bool warning,
                       const char *code,
                       struct skr_pos pos,
                       const char *fmt,
                       ...) SKR_PRINTF(5, 6);

/* AST-level warnings of a resolved condition (<NA> checks, deprecated fields). */
void skr_ast_warnings(struct skr_compiler *c, const struct skr_ast *ast);

/* ---- Event-type sets ---------------------------------------------------------------------- */

/* A set of event codes: the listed codes, or (complement) every code but them. */
struct skr_evtset {
    bool complement;
    uint32_t n;
    uint16_t *codes; /* sorted, unique */
};

/* The evt.type names a condition mentions positively (for event-type interest). */
struct skr_evtnames {
    const char **v;
    uint32_t n;
    uint32_t cap;
};

/* Computes the codes a resolved condition can match. Returns 0, or a negative errno with
 * a message in c (an evt.type check against a field, an unknown event type). */
int skr_evtset_of(struct skr_compiler *c,
                  const char *source,
                  const struct skr_ast *ast,
                  struct skr_evtset *out,
                  struct skr_evtnames *names);
/* Number of codes in s, given the size of the source's code space. */
uint64_t skr_evtset_count(const struct skr_evtset *s, uint64_t universe);
bool skr_evtset_has(const struct skr_evtset *s, uint16_t code);

/* ---- Evaluation ---------------------------------------------------------------------------- */

struct skr_cache_ent {
    uint64_t gen;
    int rc;
    uint32_t n;
    const struct skr_value *vals;
};

struct skr_memo_val {
    uint64_t gen;
    bool val;
};

struct skr_eval_ctx {
    uint64_t gen;
    struct skr_cache_ent *cache;
    uint32_t ncache;
    struct skr_memo_val *memo; /* by SKR_CN_MEMO slot */
    uint32_t nmemo;
    bool code_known; /* code is the current event's (set by skr_ruleset_eval) */
    uint16_t code;
    struct skr_arena scratch; /* per-event memory (transformer results, renders) */
    void *md;                 /* pcre2_match_data */
    skr_extract_fn extract;
    void *extract_user;
    struct skr_out_field *ofields;
    uint32_t ofields_cap;
    struct skr_strbuf tmp;
};

bool skr_eval_cond(struct skr_eval_ctx *ctx, const struct skr_cnode *n);
/* Values of an operand for the current event: 0 with vals and n set, or <0 when missing. */
int skr_eval_operand(struct skr_eval_ctx *ctx,
                     const struct skr_operand *o,
                     const struct skr_value **vals,
                     uint32_t *n);
/* Appends one value as text (outputs, join, concat). */
void skr_value_format(uint32_t type, const struct skr_value *v, struct skr_strbuf *out);
/* Makes sure ctx can hold nslots cache entries. Returns 0 or -ENOMEM. */
int skr_eval_ctx_reserve(struct skr_eval_ctx *ctx, uint32_t nslots);
/* Makes sure ctx can hold memo slots 0..nmemo. Returns 0 or -ENOMEM. */
int skr_eval_ctx_reserve_memo(struct skr_eval_ctx *ctx, uint32_t nmemo);
void skr_eval_begin(struct skr_eval_ctx *ctx, skr_extract_fn extract, void *user);

/* ---- Operator helpers (ops.c) --------------------------------------------------------------- */

struct skr_strset *skr_strset_new(struct skr_arena *a, const struct skr_value *vals, uint32_t n);
bool skr_strset_has(const struct skr_strset *s, const uint8_t *p, uint32_t len);

struct skr_pmatch *skr_pmatch_new(struct skr_arena *a, const struct skr_value *vals, uint32_t n);
bool skr_pmatch_match(const struct skr_pmatch *pm, const char *path, size_t len);

/* n bytes of a and b are equal: eight at a time, inline (the texts rules compare are
 * short; a call to memcmp costs more than the comparison). */
static inline bool skr_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    while (n >= 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, a, 8);
        __builtin_memcpy(&y, b, 8);
        if (x != y) {
            return false;
        }
        a += 8;
        b += 8;
        n -= 8;
    }
    while (n > 0) {
        if (*a++ != *b++) {
            return false;
        }
        n--;
    }
    return true;
}

bool skr_bytes_contains(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen);
bool skr_bytes_icontains(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen);
/* The same with a needle already in lower case (as the compiler stores it). */
bool skr_bytes_icontains_lower(const uint8_t *h, size_t hlen, const uint8_t *n, size_t nlen);
/* Decodes standard base64 (up to two trailing '=' ignored). Returns the length or -1. */
long skr_b64_decode(const uint8_t *in, size_t len, uint8_t *out);
/* Decodes even-length hex text. Returns the length or -1. */
long skr_unhex(const char *in, size_t len, uint8_t *out);
/* Parses an IPv4/IPv6 address into out (16 bytes room). Returns 4, 16 or -1. */
int skr_parse_ip(const char *s, uint8_t *out);
/* Parses "addr/bits" (or a bare address). Returns the address length or -1. */
int skr_parse_net(const char *s, uint8_t *out, uint32_t *bits);
bool skr_net_contains(const uint8_t *net,
                      uint32_t netlen,
                      uint32_t bits,
                      const uint8_t *addr,
                      uint32_t addrlen);

/* ---- Compiled rules and rulesets ------------------------------------------------------------ */

struct skr_rule {
    const char *name;
    size_t index; /* position among the enabled rules */
    int priority; /* 0..7 */
    const char *source;
    size_t source_idx;
    const char **tags;
    size_t ntags;
    const char *desc;
    struct skr_cnode *cond;
    struct skr_prog *prog; /* cond as a branch program, or NULL */
    struct skr_format out;
    const char *cond_str;   /* canonical compiled condition */
    const char *output_str; /* compiled output text */
    struct skr_evtset evts;
    const char **evt_names; /* evt.type names the condition mentions positively */
    uint32_t nevt_names;
    bool enabled;
    const char *describe; /* this rule's describe JSON object */
    _Atomic uint64_t matches;
};

struct skr_rs_index {
    uint32_t max_code; /* codes above use beyond */
    uint32_t *off;     /* max_code + 2 offsets into list */
    struct skr_rule **list;
    struct skr_rule **beyond;
    uint32_t nbeyond;
    uint8_t *bitmap; /* 65536 bits */
    bool all;
    const char **names; /* NULL-terminated */
};

struct skr_ruleset {
    _Atomic long refs;
    struct skr_arena arena;
    struct skr_rule **rules; /* enabled, in rule order */
    size_t nrules;
    struct skr_rule **compiled; /* every compiled rule (enabled or not), in rule order */
    size_t ncompiled;
    uint32_t nslots;
    uint32_t nmemo; /* memo slots of shared macro bodies */
    struct skr_extract_req **reqs;
    size_t nsources;
    const char **sources;
    struct skr_rs_index *index; /* per source */
    bool match_all;
    char *describe; /* lists/macros part of the describe JSON */
    void **codes;   /* PCRE2 programs to free */
    uint32_t ncodes;
};

/* Priorities (spec: "Emergency" .. "Debug"). */
int skr_priority_parse(const char *s);
const char *skr_priority_name(int prio);

/* ---- Diagnostics (diags.c) -------------------------------------------------------------------- */

/* One location of a diagnostic's context chain (Falco's -V JSON). 0-based positions. */
struct skr_diag_loc {
    const char *item_type;
    const char *item_name;
    const char *name; /* file name, or a quoted condition excerpt */
    uint32_t line, col, off;
};

#define SKR_DIAG_MAX_LOCS 6

struct skr_diag_in {
    enum skr_diag_severity severity;
    const char *code;
    const char *file;
    unsigned line, col; /* 1-based; 0 unknown */
    const char *item_kind;
    const char *item_name;
    const char *message;
    const char *snippet;
    const char *deprecated_field;
    struct skr_diag_loc locs[SKR_DIAG_MAX_LOCS];
    uint32_t nlocs;
};

/* Copies d into diags (deduplicating identical entries). Returns 0 or -ENOMEM. */
int skr_diags_add(struct skr_diags *diags, const struct skr_diag_in *d);
/* The file names in load order, for per-file JSON results. */
int skr_diags_add_file(struct skr_diags *diags, const char *file, bool loaded);
/* Marks the load as failed before any file was read (e.g. a plugin requirement). */
const char *skr_diag_codedesc(const char *code, bool error);

#endif /* SKR_RULES_RULES_INT_H */
