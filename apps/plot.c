#include "apps/plot.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int checked = -1;    /* sn_plot_available(): -1 not yet asked */
static int has_cairo = -1;  /* pngcairo terminal: -1 not yet asked */
static void (*saved_pipe)(int);
static int open_plots;      /* plots open: SIGPIPE ignored while > 0 */

int sn_plot_available(void)
{
    if (checked < 0)
        checked = system("command -v gnuplot >/dev/null 2>&1") == 0;
    return checked;
}

/* pngcairo draws antialiased lines and readable fonts; a gnuplot built
 * without cairo only has libgd's png. Asking gnuplot is the only reliable
 * test: the set command fails for an unknown terminal. */
static int cairo_available(void)
{
    if (has_cairo < 0)
        has_cairo = system("gnuplot -e 'set terminal pngcairo' </dev/null >/dev/null 2>&1") == 0;
    return has_cairo;
}

FILE *sn_plot_open(const char *png, unsigned width, unsigned height)
{
    if (!png)
        return NULL;
    /* a gnuplot string cannot hold a line break: the rest of the name would
     * be read as gnuplot commands (which include `system`) */
    if (strpbrk(png, "\n\r")) {
        fprintf(stderr, "sdrnet: cannot draw %s: gnuplot cannot take a line break in a "
                        "file name\n", png);
        return NULL;
    }
    if (!sn_plot_available()) {
        fprintf(stderr, "sdrnet: cannot draw %s: gnuplot is not installed "
                        "(apt-get install gnuplot-nox)\n", png);
        return NULL;
    }
    int cairo = cairo_available();
    fflush(NULL); /* gnuplot's messages must not overtake ours */
    FILE *g = popen("gnuplot", "w");
    if (!g) {
        fprintf(stderr, "sdrnet: cannot start gnuplot to draw %s\n", png);
        return NULL;
    }
    if (open_plots++ == 0)
        saved_pipe = signal(SIGPIPE, SIG_IGN);
    if (cairo)
        fprintf(g, "set terminal pngcairo size %u,%u font ',10'\n", width, height);
    else
        fprintf(g, "set terminal png size %u,%u\n", width, height);
    /* gnuplot's single-quoted strings have no escapes but '' for a quote */
    fputs("set output '", g);
    for (const char *p = png; *p; p++) {
        if (*p == '\'')
            fputc('\'', g);
        fputc(*p, g);
    }
    fputs("'\n", g);
    return g;
}

int sn_plot_close(FILE *g, const char *png)
{
    if (!g)
        return -1;
    fputs("unset output\n", g);
    int bad = ferror(g) != 0;
    int st = pclose(g);
    if (--open_plots == 0)
        signal(SIGPIPE, saved_pipe);
    if (bad || st != 0) {
        fprintf(stderr, "sdrnet: gnuplot failed to draw %s\n", png ? png : "(plot)");
        return -1;
    }
    return 0;
}
