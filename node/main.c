/*
 * sealogd entry point: parse the configuration, then hand over to the node.
 * Exit codes: 0 clean stop, 1 start-up or runtime failure, 2 bad config.
 */
#include <stdio.h>
#include <unistd.h>

#include "config/config.h"
#include "node/node.h"

extern char **environ;

int main(int argc, char **argv)
{
    sl_config_t *cfg = NULL;
    sl_config_action_t action;
    sl_diag_t d;
    sl_diag_clear(&d);
    if (sl_config_load(argc, argv, environ, &cfg, &action, &d)) {
        fprintf(stderr, "sealogd: %s\n", d.msg);
        return SL_EXIT_CONFIG;
    }
    sl_buf_t b = SL_BUF_INIT;
    switch (action) {
    case SL_CONFIG_HELP:
        sl_config_usage(&b, "sealogd");
        break;
    case SL_CONFIG_VERSION:
        sl_buf_printf(&b, "sealogd %s\n", SL_VERSION);
        break;
    case SL_CONFIG_REFERENCE:
        sl_config_reference(&b);
        break;
    case SL_CONFIG_RUN:
        return sl_node_main(cfg, argc, argv, environ, STDOUT_FILENO, STDERR_FILENO);
    }
    fwrite(b.data, 1, b.len, stdout);
    sl_buf_dispose(&b);
    return SL_EXIT_OK;
}
