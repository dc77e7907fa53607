#include "apps/devices.h"

#include <stdio.h>
#include <string.h>

#ifdef SDRNET_HAVE_SOAPY
#include <SoapySDR/Device.h>
#include <SoapySDR/Types.h>
#include <SoapySDR/Version.h>
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sdrnet devices [ARGS]\n"
            "\n"
            "List the radios SoapySDR finds (all of them, or those matching ARGS, e.g.\n"
            "driver=rtlsdr), each with its driver, label, serial and, per direction, its\n"
            "channels, frequency and sample-rate ranges, gains and antennas. Use what it\n"
            "prints after soapy: in --radio, e.g. --radio soapy:driver=hackrf,serial=...\n"
            "\n"
            "SoapySDR finds a kind of device only through its module (Debian packages\n"
            "soapysdr-module-hackrf, -rtlsdr, -lms7, -uhd, ...). The sdrnet virtual\n"
            "device (driver=sdrnet) is the module in <build>/phy/soapy_module: set\n"
            "SOAPY_SDR_PLUGIN_PATH to that directory.\n");
}

#ifdef SDRNET_HAVE_SOAPY

/* "[1e6, 6e9] Hz" lists; ranges with min == max are single values. */
static void print_ranges(const char *what, const SoapySDRRange *r, size_t n, double scale,
                         const char *unit)
{
    printf("      %-12s", what);
    if (n == 0)
        printf(" (none reported)");
    for (size_t i = 0; i < n; i++) {
        if (r[i].minimum == r[i].maximum)
            printf("%s %g", i ? "," : "", r[i].minimum / scale);
        else
            printf("%s %g-%g", i ? "," : "", r[i].minimum / scale, r[i].maximum / scale);
    }
    printf(" %s\n", unit);
}

static void print_direction(SoapySDRDevice *dev, int dir)
{
    size_t nch = SoapySDRDevice_getNumChannels(dev, dir);
    printf("    %s: %zu channel%s\n", dir == SOAPY_SDR_RX ? "RX" : "TX", nch, nch == 1 ? "" : "s");
    if (nch == 0)
        return;
    /* channel 0 stands for all: multi-channel devices repeat the same ranges */
    size_t n = 0;
    SoapySDRRange *r = SoapySDRDevice_getFrequencyRange(dev, dir, 0, &n);
    print_ranges("frequency", r, n, 1e6, "MHz");
    SoapySDR_free(r);
    r = SoapySDRDevice_getSampleRateRange(dev, dir, 0, &n);
    print_ranges("sample rate", r, n, 1e6, "MS/s");
    SoapySDR_free(r);

    SoapySDRRange g = SoapySDRDevice_getGainRange(dev, dir, 0);
    printf("      %-12s %g-%g dB overall", "gain", g.minimum, g.maximum);
    char **names = SoapySDRDevice_listGains(dev, dir, 0, &n);
    for (size_t i = 0; i < n; i++) {
        SoapySDRRange gi = SoapySDRDevice_getGainElementRange(dev, dir, 0, names[i]);
        printf("%s %s %g-%g", i ? "," : ";", names[i], gi.minimum, gi.maximum);
    }
    printf("\n");
    SoapySDRStrings_clear(&names, n);

    names = SoapySDRDevice_listAntennas(dev, dir, 0, &n);
    printf("      %-12s", "antennas");
    for (size_t i = 0; i < n; i++)
        printf("%s %s", i ? "," : "", names[i]);
    printf("%s\n", n ? "" : " (none reported)");
    SoapySDRStrings_clear(&names, n);
}

int sn_devices_main(int argc, char **argv)
{
    const char *filter = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' || i > 1) {
            fprintf(stderr, "sdrnet devices: unexpected '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        filter = argv[i];
    }
    size_t n = 0;
    SoapySDRKwargs *list = SoapySDRDevice_enumerateStrArgs(filter, &n);
    if (n == 0) {
        printf("no SoapySDR devices found%s%s%s\n", *filter ? " matching '" : "", filter,
               *filter ? "'" : "");
        printf("hint: SoapySDR %s sees a kind of device only through its module; install the\n"
               "one for your radio, e.g. apt install soapysdr-module-hackrf (or -rtlsdr, -lms7,\n"
               "-uhd), check with `SoapySDRUtil --find`, and plug the device in.\n",
               SoapySDR_getLibVersion());
        SoapySDRKwargsList_clear(list, n);
        return 0;
    }
    printf("%zu SoapySDR device%s:\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const char *driver = SoapySDRKwargs_get(&list[i], "driver");
        const char *label = SoapySDRKwargs_get(&list[i], "label");
        const char *serial = SoapySDRKwargs_get(&list[i], "serial");
        printf("\n[%zu] %s\n", i, label ? label : "(no label)");
        printf("    driver %s, serial %s\n", driver ? driver : "?", serial ? serial : "?");
        /* what to give --radio: every key but the label, which has spaces
         * and names no device by itself; no blanks, so no shell quoting */
        printf("    radio  soapy:");
        for (size_t k = 0, first = 1; k < list[i].size; k++) {
            if (!strcmp(list[i].keys[k], "label"))
                continue;
            printf("%s%s=%s", first ? "" : ",", list[i].keys[k], list[i].vals[k]);
            first = 0;
        }
        printf("\n");
        SoapySDRDevice *dev = SoapySDRDevice_make(&list[i]);
        if (!dev) {
            printf("    (cannot open it to read its ranges: %s)\n", SoapySDRDevice_lastError());
        } else {
            char *hw = SoapySDRDevice_getHardwareKey(dev);
            printf("    hardware %s, %s duplex, hardware time %s\n", hw && *hw ? hw : "?",
                   SoapySDRDevice_getFullDuplex(dev, SOAPY_SDR_RX, 0) ? "full" : "half",
                   SoapySDRDevice_hasHardwareTime(dev, "") ? "yes" : "no");
            SoapySDR_free(hw);
            print_direction(dev, SOAPY_SDR_RX);
            print_direction(dev, SOAPY_SDR_TX);
            SoapySDRDevice_unmake(dev);
        }
    }
    SoapySDRKwargsList_clear(list, n);
    return 0;
}

#else /* !SDRNET_HAVE_SOAPY */

int sn_devices_main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "sdrnet devices: this sdrnet was built without SoapySDR "
                    "(install libsoapysdr-dev and rebuild)\n");
    return 1;
}

#endif
