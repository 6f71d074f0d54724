# SPDX-License-Identifier: Apache-2.0
# skr_add_unit_test(NAME SOURCES src... [LIBS lib...] [LABELS l...])
#   One cmocka test binary, run by ctest with the given labels (default "unit").
# skr_add_script_test(NAME COMMAND cmd... [LABELS l...] [TIMEOUT s])
#   A test that drives built binaries (integration, conformance, e2e), usually
#   ${Python3_EXECUTABLE} script.py using tests/lib/sakertest.py. Exit 77 = skipped.
# Every test gets the environment below, so scripts find what the build made.
set(SAKER_TEST_ENV
    "SAKER_BIN=$<TARGET_FILE:saker>"
    "SAKER_BUILD_DIR=${CMAKE_BINARY_DIR}"
    "SAKER_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    "SAKER_PLUGINS_DIR=${SAKER_PLUGINS_BUILD_DIR}"
    "SAKER_CORPUS_DIR=${SAKER_CORPUS_DIR}"
    "PYTHONDONTWRITEBYTECODE=1"
    "PYTHONPATH=${CMAKE_SOURCE_DIR}/tests/lib")
if(SAKER_SANITIZE)
    list(APPEND SAKER_TEST_ENV
        "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1"
        # LeakSanitizer does not scan thread-local storage: this clang's tracer can crash
        # on the dynamic TLS records of dlopen()ed plugins (a garbage range, depending on
        # heap layout), failing a run that found nothing. Without TLS roots a leak
        # report can only get stricter, never miss one.
        "LSAN_OPTIONS=use_tls=0"
        "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
        "SAKER_SANITIZED=1")
endif()

function(skr_add_unit_test name)
    cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    add_executable(${name} ${T_SOURCES})
    target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" ENVIRONMENT "${SAKER_TEST_ENV}"
        TIMEOUT 300)
endfunction()

function(skr_add_script_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS;DEPENDS" ${ARGN})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 600)
    endif()
    add_test(NAME ${name} COMMAND ${T_COMMAND})
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" ENVIRONMENT "${SAKER_TEST_ENV}"
        TIMEOUT ${T_TIMEOUT} SKIP_RETURN_CODE 77)
endfunction()
