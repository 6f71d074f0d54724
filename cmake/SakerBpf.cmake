# SPDX-License-Identifier: Apache-2.0
# Building CO-RE eBPF objects and their libbpf skeletons.
#
#   skr_bpf_vmlinux(OUT_DIR)
#       Makes <OUT_DIR>/vmlinux.h. By default it is dumped at build time from
#       the running kernel's BTF (/sys/kernel/btf/vmlinux) with bpftool; set
#       SAKER_VMLINUX_H to a file to use that one instead (a machine without
#       BTF, a cross build). CO-RE relocations make the object run on other
#       kernels than the one the header came from.
#
#   skr_bpf_skeleton(NAME SOURCE src.bpf.c [INCLUDES dir...] [DEPENDS file...])
#       Compiles src.bpf.c with clang -target bpf into <NAME>.bpf.o and
#       generates <NAME>.skel.h with `bpftool gen skeleton`, both in the
#       current binary dir. Defines the target <NAME>_skel (an INTERFACE
#       library whose include directory holds the skeleton) so that user space
#       code can `#include "<NAME>.skel.h"`.
#
# The BPF objects never get the project's sanitizer or warning flags: they are
# built by custom commands, not by the C compiler of the project.

find_program(SAKER_BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(SAKER_BPF_STRIP NAMES llvm-strip-14 llvm-strip REQUIRED)
find_program(SAKER_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
set(SAKER_VMLINUX_H "" CACHE FILEPATH "vmlinux.h to use instead of dumping the running kernel's BTF")
set(SAKER_BTF_FILE "/sys/kernel/btf/vmlinux" CACHE FILEPATH "kernel BTF the vmlinux.h is dumped from")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    set(SAKER_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
    set(SAKER_BPF_ARCH arm64)
else()
    message(FATAL_ERROR "the eBPF driver supports x86_64 and aarch64, not ${CMAKE_SYSTEM_PROCESSOR}")
endif()

function(skr_bpf_vmlinux out_dir)
    file(MAKE_DIRECTORY ${out_dir})
    if(SAKER_VMLINUX_H)
        add_custom_command(OUTPUT ${out_dir}/vmlinux.h
            COMMAND ${CMAKE_COMMAND} -E copy ${SAKER_VMLINUX_H} ${out_dir}/vmlinux.h
            DEPENDS ${SAKER_VMLINUX_H}
            COMMENT "Copying vmlinux.h from ${SAKER_VMLINUX_H}")
    else()
        if(NOT EXISTS ${SAKER_BTF_FILE})
            message(FATAL_ERROR "${SAKER_BTF_FILE} does not exist: this kernel has no BTF. "
                "Pass -DSAKER_VMLINUX_H=/path/to/vmlinux.h (dumped on a kernel with BTF).")
        endif()
        add_custom_command(OUTPUT ${out_dir}/vmlinux.h
            COMMAND sh -c "'${SAKER_BPFTOOL}' btf dump file '${SAKER_BTF_FILE}' format c > '${out_dir}/vmlinux.h.tmp'"
            COMMAND ${CMAKE_COMMAND} -E rename ${out_dir}/vmlinux.h.tmp ${out_dir}/vmlinux.h
            COMMENT "Dumping vmlinux.h from ${SAKER_BTF_FILE}"
            VERBATIM)
    endif()
    # Generated headers are never formatted.
    file(WRITE ${out_dir}/.clang-format "DisableFormat: true\n")
endfunction()

function(skr_bpf_skeleton name)
    cmake_parse_arguments(B "" "SOURCE;VMLINUX_DIR" "INCLUDES;DEPENDS" ${ARGN})
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
    set(skel_dir ${CMAKE_CURRENT_BINARY_DIR}/skel)
    set(skel ${skel_dir}/${name}.skel.h)
    file(MAKE_DIRECTORY ${skel_dir})
    set(incs "")
    foreach(d ${B_INCLUDES} ${B_VMLINUX_DIR})
        list(APPEND incs -I${d})
    endforeach()
    add_custom_command(OUTPUT ${obj}
        COMMAND ${SAKER_BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${SAKER_BPF_ARCH}
                -mcpu=v3 -Wall -Werror -Wno-unused-function -Wno-missing-declarations
                -Wno-address-of-packed-member -Wno-compare-distinct-pointer-types
                ${incs} -c ${B_SOURCE} -o ${obj}
        # DWARF is for debuggers; the kernel and libbpf need only .BTF and .BTF.ext
        COMMAND ${SAKER_BPF_STRIP} -g ${obj}
        DEPENDS ${B_SOURCE} ${B_DEPENDS} ${B_VMLINUX_DIR}/vmlinux.h
        IMPLICIT_DEPENDS C ${B_SOURCE}
        COMMENT "Compiling eBPF object ${name}.bpf.o"
        VERBATIM)
    add_custom_command(OUTPUT ${skel}
        COMMAND sh -c "'${SAKER_BPFTOOL}' gen skeleton '${obj}' name ${name} > '${skel}.tmp'"
        COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
        DEPENDS ${obj}
        COMMENT "Generating libbpf skeleton ${name}.skel.h"
        VERBATIM)
    add_custom_target(${name}_skel_gen DEPENDS ${skel})
    add_library(${name}_skel INTERFACE)
    add_dependencies(${name}_skel ${name}_skel_gen)
    target_include_directories(${name}_skel INTERFACE ${skel_dir})
endfunction()
