/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The condition lexer: a cursor over the condition text that recognises one
 * token class at a time at the current position (the parser decides which
 * class it expects, as the language is not context free at the token level:
 * "a=b" is a bare string after "=" but three tokens before it). Each match
 * takes the longest run of the class and advances the position.
 *
 * Token classes (POSIX character classes):
 *   blank       ' ' \t \b \r \n
 *   identifier  [a-zA-Z]+[a-zA-Z0-9_]*
 *   field name  identifier ( "." identifier )+
 *   field arg   [^][\"'[:space:]]+
 *   hex number  0[xX][0-9a-fA-F]+
 *   number      [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?
 *   bare string [^()\"'[:space:]=,]+
 *   quoted      "..." or '...', ending at the first delimiter not preceded by a
 *               backslash; escapes \b \f \n \r \t \\ \/ "\ " \" (in "") \' (in '')
 *               \xHH
 */
#ifndef SKR_RULES_LEXER_H
#define SKR_RULES_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/ast.h"
#include "util/arena.h"

struct skr_lexer {
    const char *in; /* the text; a NUL byte ends it like the end of input */
    size_t len;
    struct skr_pos pos;
    /* The last token matched (not blanks): its raw text, and for quoted strings the
     * unescaped value (arena memory). */
    const char *tok;
    size_t tok_len;
    const char *val;
    size_t val_len;
    /* Set when a quoted string had a bad escape (the match fails). */
    const char *esc_err;
};

void skr_lexer_init(struct skr_lexer *lx, const char *in, size_t len);

/* The byte at the cursor, 0 at the end. */
static inline char skr_lex_peek(const struct skr_lexer *lx)
{
    return lx->pos.idx < lx->len ? lx->in[lx->pos.idx] : '\0';
}

static inline bool skr_lex_at_end(const struct skr_lexer *lx)
{
    return lx->pos.idx >= lx->len;
}

/* Each returns true and advances when the class matches at the cursor. */
bool skr_lex_blank(struct skr_lexer *lx);
/* Matches the exact text s. */
bool skr_lex_str(struct skr_lexer *lx, const char *s);
/* "not" followed by one or more [:space:] characters. */
bool skr_lex_not_blank(struct skr_lexer *lx);
bool skr_lex_identifier(struct skr_lexer *lx);
bool skr_lex_field_name(struct skr_lexer *lx);
bool skr_lex_field_arg_bare(struct skr_lexer *lx);
bool skr_lex_hex_number(struct skr_lexer *lx);
bool skr_lex_number(struct skr_lexer *lx);
bool skr_lex_bare_str(struct skr_lexer *lx);
/* Quoted string; the unescaped value goes to lx->val (allocated in a). On a bad escape
 * returns false, leaves the cursor and sets lx->esc_err. */
bool skr_lex_quoted(struct skr_lexer *lx, struct skr_arena *a);

/* Unescapes a quoted token (delimiters included). Returns NULL and sets *err on a bad
 * escape, or on out of memory (*err "out of memory"). */
char *skr_unescape(struct skr_arena *a,
                   const char *tok,
                   size_t tok_len,
                   size_t *out_len,
                   const char **err);

#endif /* SKR_RULES_LEXER_H */
