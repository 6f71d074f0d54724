/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The condition parser: text -> struct skr_ast, with positions.
 *
 * Grammar (EBNF; BLANK is one of ' ' \t \b \r \n; token classes in lexer.h).
 * Keywords and operators are lower-case only. Blanks are allowed between any
 * two tokens unless a rule says otherwise.
 *
 *   expr        = or_expr ;
 *   or_expr     = and_expr , { "or" , sep , and_expr } ;
 *   and_expr    = not_expr , { "and" , sep , not_expr } ;
 *   sep         = BLANK , { BLANK }            (* or "(" directly: "a and(b)" *)
 *               | "(" , expr , ")" ;
 *   not_expr    = { "not" , SPACE , { SPACE } } , ( "not(" , expr , ")" | check ) ;
 *   check       = "(" , expr , ")"
 *               | lhs , "exists"
 *               | lhs , num_op , ( rhs_xform | HEXNUM | NUMBER )
 *               | lhs , str_op , [ MODIFIER , BLANK , list_value ]
 *                            , ( rhs_xform | QUOTED | BARESTR )
 *               | lhs , list_op , ( list | rhs_xform | IDENTIFIER )
 *               | IDENTIFIER ;                 (* a macro reference *)
 *   lhs         = field | transformer ;
 *   field       = FIELDNAME , [ "[" , ( QUOTED | FIELDARG ) , "]" ] ;  (* no blank before "[" *)
 *   transformer = TNAME , "(" , [ targ , { "," , targ } ] , ")" , [ "[" , arg , "]" ] ;
 *                                              (* no blank between TNAME and "(" *)
 *   TNAME       = "tolower" | "toupper" | "b64" | "basename" | "len" | "join" | "concat"
 *               | "getopt" ;
 *   targ        = transformer | field | QUOTED | HEXNUM | NUMBER
 *               | "(" , [ titem , { "," , titem } ] , ")" ;
 *   titem       = transformer | field | QUOTED | HEXNUM | NUMBER ;
 *   rhs_xform   = "val(" , field , ")" , [ "[" , arg , "]" ] | transformer ;
 *   num_op      = "<=" | "<" | ">=" | ">" ;
 *   str_op      = "==" | "=" | "!=" | ( "glob" | "iglob" | "contains" | "icontains"
 *               | "bcontains" | "startswith" | "bstartswith" | "endswith" | "regex" ) , BLANK ;
 *   list_op     = "intersects" | "in" | "pmatch" ;
 *   MODIFIER    = "oneof" | "anyof" | "allof" ;  (* only when a BLANK follows, then "(" or
 *                                                  an identifier other than and/or/not *)
 *   list_value  = list | IDENTIFIER ;
 *   list        = "(" , [ value , { "," , value } ] , ")" ;
 *   value       = QUOTED | BARESTR ;
 *
 * Precedence: not > and > or. Chains of and/or become one n-ary node; a run
 * of "not" collapses by parity (no node for an even count). After the
 * expression only blanks may remain.
 */
#ifndef SKR_RULES_PARSER_H
#define SKR_RULES_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "rules/ast.h"
#include "util/arena.h"

/* Falco's rules loader allows this nesting depth; the library default is 100. */
#define SKR_PARSE_MAX_DEPTH 1000
#define SKR_PARSE_ERR_MAX   512

struct skr_parse_error {
    char msg[SKR_PARSE_ERR_MAX];
    struct skr_pos pos; /* where the parser stood when it failed */
};

/*
 * Parses text[0..len). Returns the tree (arena memory) or NULL with err filled
 * (err->msg is "out of memory" when the arena failed). max_depth 0 means
 * SKR_PARSE_MAX_DEPTH. When end is not NULL it receives the position after the
 * trailing blanks.
 */
struct skr_ast *skr_parse(struct skr_arena *a,
                          const char *text,
                          size_t len,
                          uint32_t max_depth,
                          struct skr_parse_error *err,
                          struct skr_pos *end);

/*
 * Parses one field or transformer expression (as in an output's %field) at the
 * start of text. Returns the node and sets *consumed, or NULL when there is
 * none (no error is kept: the caller decides).
 */
struct skr_ast *skr_parse_field_expr(struct skr_arena *a,
                                     const char *text,
                                     size_t len,
                                     size_t *consumed);

#endif /* SKR_RULES_PARSER_H */
