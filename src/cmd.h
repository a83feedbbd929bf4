/* cmd: the subcommands. Each lives in its own src/cmd_NAME.c, parses its
 * own options (argv[0] is the subcommand name) and returns an exit status. */
#ifndef GGSCOPE_CMD_H
#define GGSCOPE_CMD_H

int cmd_info(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_outliers(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
