/*
 * node — sealogd: lifecycle, HTTPS listeners (h2o on libuv), routing,
 * authentication, metrics, health, and the admin API. It owns the one
 * uv_loop_t and the one sl_node_t that everything else hangs from.
 */
#ifndef SL_NODE_H
#define SL_NODE_H

#include "common/common.h"
#include "config/config.h"

/* Exit codes of sealogd. */
enum {
    SL_EXIT_OK = 0,
    SL_EXIT_RUNTIME = 1, /* could not start or failed while running */
    SL_EXIT_CONFIG = 2,  /* bad configuration */
};

/*
 * Runs a node with `cfg` (ownership passes to the node) until SIGTERM or
 * SIGINT, then drains and returns an exit code. Prints its start-up banner
 * (listeners, certificate fingerprint, the bootstrap token on first start)
 * to `out_fd` and logs to `log_fd`. argv/envp are kept to re-read the
 * configuration on SIGHUP.
 */
int sl_node_main(sl_config_t *cfg, int argc, char **argv, char **envp, int out_fd, int log_fd);

#endif /* SL_NODE_H */
