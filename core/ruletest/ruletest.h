/* SPDX-License-Identifier: Apache-2.0 */
/*
 * saker test: runs rule test files (docs/rule-tests.md). Each case replays a
 * capture and/or runs a shell snippet live under the syscall source, then
 * checks which rules fired in the case's scope. One line per case, a summary
 * line "N passed, M failed, K skipped", exit status 1 on any failure.
 *
 * The engine under test is the saker binary itself, started as a child
 * process per capture (replay) or per test file (live), so a case sees
 * exactly what a deployed saker would, with the same configuration.
 */
#ifndef SKR_RULETEST_RULETEST_H
#define SKR_RULETEST_RULETEST_H

/*
 * The "test" command. argv[0] is "test"; the rest are its options and files
 * (see saker test --help). Returns the process exit code: 0 when no case
 * failed, 1 otherwise (or on a usage error). Prints its own messages.
 */
int skr_ruletest_main(int argc, char **argv);

#endif /* SKR_RULETEST_RULETEST_H */
