/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Options of core/output: alert formatting, the alert queue and the built-in
 * sink sections. A sink section (stdout_output, file_output, ...) maps onto a
 * sink plugin: its "enabled" key says whether the sink runs and every other
 * key of the section is handed to the plugin as its JSON init_config (see
 * skr_config_section_json), so a key added here reaches the plugin as is.
 */
#include "config/config_int.h"

#include <stddef.h>

#define OFF(f) offsetof(struct skr_config, output.f)

static const char *const queue_policy_choices[] = { "drop", "block", NULL };

#define COMPAT(n)                                                                        \
    {                                                                                    \
        .name = n, .flags = SKR_OPT_COMPAT, .desc = "Falco option, accepted and ignored" \
    }

static const struct skr_opt output_opts[] = {
    { .name = "json_output",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(json_output),
      .desc = "Alerts as one JSON object per line (Falco's shape) instead of text" },
    { .name = "json_include_output_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_output_property),
      .desc = "JSON alerts carry \"output\", the text line" },
    { .name = "json_include_message_property",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(json_include_message_property),
      .desc = "JSON alerts carry \"message\", the rule output without time and priority" },
    { .name = "json_include_output_fields_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_output_fields_property),
      .desc = "JSON alerts carry \"output_fields\", the typed values of the output's fields" },
    { .name = "json_include_tags_property",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(json_include_tags_property),
      .desc = "JSON alerts carry \"tags\", the rule's tags" },
    { .name = "time_format_iso_8601",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(time_format_iso_8601),
      .desc = "Text alerts start with the UTC ISO 8601 time instead of the local HH:MM:SS.ns" },
    { .name = "outputs_queue.capacity",
      .type = SKR_OPT_UINT,
      .def = "16384",
      .offset = OFF(queue_capacity),
      .desc = "Alerts the queue between the sources and the sinks holds; 0 means Saker's "
              "largest bound (1048576), never an unbounded queue" },
    { .name = "outputs_queue.policy",
      .type = SKR_OPT_ENUM,
      .def = "drop",
      .offset = OFF(queue_policy),
      .choices = queue_policy_choices,
      .desc = "When the queue is full: drop (the new alert is dropped and counted) or block "
              "(the source waits for room)" },
    { .name = "stdout_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "true",
      .offset = OFF(stdout_enabled),
      .desc = "Write alerts to stdout (sink plugin out_stdout)" },
    { .name = "file_output.enabled",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(file_enabled),
      .desc = "Append alerts to a file (sink plugin out_file)" },
    { .name = "file_output.keep_alive",
      .type = SKR_OPT_BOOL,
      .def = "false",
      .offset = OFF(file_keep_alive),
      .desc = "Keep the file open between alerts (else open and close it for each alert); "
              "SIGUSR1 reopens it" },
    { .name = "file_output.filename",
      .type = SKR_OPT_STRING,
      .def = "./events.txt",
      .offset = OFF(file_filename),
      .desc = "The file alerts are appended to" },
    COMPAT("buffered_outputs"),
    COMPAT("buffer_format_base64"),
    COMPAT("output_timeout"),
    COMPAT("append_output"),
    COMPAT("syslog_output"),
    COMPAT("program_output"),
    COMPAT("http_output"),
    COMPAT("grpc"),
    COMPAT("grpc_output"),
};

const struct skr_opt_table skr_output_opt_table = {
    .component = "output",
    .opts = output_opts,
    .num_opts = sizeof(output_opts) / sizeof(output_opts[0]),
};
