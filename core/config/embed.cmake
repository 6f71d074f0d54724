# SPDX-License-Identifier: Apache-2.0
# cmake -DIN=file -DOUT=file.c -DSYM=name -P embed.cmake
# Writes OUT, a C file defining `const char SYM[]` (the bytes of IN, NUL-terminated) and
# `const size_t SYM_len`, so the binary carries the file.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUT}" "/* SPDX-License-Identifier: Apache-2.0 */\n/* Generated from ${IN}; do not edit. */\n#include <stddef.h>\nconst char ${SYM}[] = {\n${body}0x00};\nconst size_t ${SYM}_len = ${len};\n")
