/* ggscope: everything lives in the library; see cli.c. */
#include "config.h"

#include "cli.h"
#include "ui.h"

int
main(int argc, char **argv)
{
	static const struct cli_interactive ui = { ui_main, ui_options_help };

	return cli_main(argc, argv, &ui);
}
