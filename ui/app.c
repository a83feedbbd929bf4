#include "config.h"

#include <stdio.h>

#include "ui.h"

const char ui_options_help[] = "";

int
ui_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ggscope: the interactive view is not built yet; see 'ggscope --help'.\n");
	return 1;
}
