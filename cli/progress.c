/*
 * The query spinner: "| running query... 3s" on one line of stderr,
 * redrawn in place with a carriage return and erased with "\r" + EL
 * (ESC [ K, erase to end of line) when the answer arrives.
 *
 * The caller decides whether to use it at all (stderr must be a terminal:
 * a spinner in a log file or a pipe is noise) and feeds it times, so it
 * holds no clock and tests can drive it. It draws nothing for the first
 * second: most queries answer sooner, and a flash of spinner on every
 * command would be worse than none. It redraws at most every CLI_TICK_MS.
 * ASCII only, so any terminal shows it.
 *
 *   init ──update (< delay)──▶ silent ──update (≥ delay)──▶ shown ──clear──▶ erased
 */
#include "cli/cli.h"

#include <stdio.h>

void cli_progress_init(cli_progress_t *p, FILE *f, uint64_t now_ns)
{
    p->f = f;
    p->start_ns = now_ns;
    p->drawn_ns = 0;
    p->frame = 0;
    p->shown = false;
}

void cli_progress_update(cli_progress_t *p, uint64_t now_ns)
{
    static const char frames[] = "|/-\\";
    if (now_ns < p->start_ns + CLI_PROGRESS_DELAY_NS) {
        return;
    }
    /* Ticks come faster while a large answer streams in; the line need not. */
    if (p->shown && now_ns < p->drawn_ns + (uint64_t)CLI_TICK_MS * 1000000u) {
        return;
    }
    p->drawn_ns = now_ns;
    unsigned long long secs = (now_ns - p->start_ns) / 1000000000ull;
    fprintf(p->f, "\r\033[K%c running query... %llus", frames[p->frame++ % 4], secs);
    fflush(p->f);
    p->shown = true;
}

void cli_progress_clear(cli_progress_t *p)
{
    if (!p->shown) {
        return;
    }
    fputs("\r\033[K", p->f);
    fflush(p->f);
    p->shown = false;
}
