# SPDX-License-Identifier: Apache-2.0
# skr_add_plugin(NAME SOURCES src... [LIBS lib...])
#   Builds lib<NAME>.so against plugin-api only, places it in the build tree's
#   plugins-out/ and installs it to the plugins dir. Only SAKER_EXPORT symbols
#   leave the library (the build hides everything else).
function(skr_add_plugin name)
    cmake_parse_arguments(P "NO_INSTALL" "OUTPUT_DIR" "SOURCES;LIBS" ${ARGN})
    if(NOT P_OUTPUT_DIR)
        set(P_OUTPUT_DIR ${SAKER_PLUGINS_BUILD_DIR})
    endif()
    add_library(${name} MODULE ${P_SOURCES})
    target_link_libraries(${name} PRIVATE saker_plugin_api ${P_LIBS})
    set_target_properties(${name} PROPERTIES PREFIX "lib" LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIR})
    # Every symbol a plugin uses must resolve at link time, except under the
    # sanitizers, whose runtime lives in the executable that loads the plugin.
    if(NOT SAKER_SANITIZE)
        target_link_options(${name} PRIVATE -Wl,--no-undefined)
    endif()
    if(NOT P_NO_INSTALL)
        install(TARGETS ${name} LIBRARY DESTINATION ${SAKER_PLUGINS_INSTALL_DIR})
    endif()
endfunction()
