/* Stand-alone driver for the fuzz targets when libFuzzer is not used (gcc
 * builds): replays every file of the corpus directories given, then runs a
 * bounded number of deterministic inputs: mutations of the corpus files
 * (bit flips, byte changes, truncation, extension) and random buffers.
 *
 *   fuzz_x [--runs N] [--seed S] [CORPUS_DIR_OR_FILE ...]
 *
 * Any crash, sanitizer report or hang is the failure; the driver itself only
 * exits 0 after all runs. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536
#define MAX_SEEDS 256

static uint64_t st;
static uint64_t next_u64(void)
{
    /* splitmix64: enough for a mutation driver */
    uint64_t z = (st += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static size_t nseeds;

static void add_file(const char *path)
{
    if (nseeds >= MAX_SEEDS)
        return;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    uint8_t *buf = malloc(FUZZ_MAX_INPUT);
    if (!buf) {
        fclose(f);
        return;
    }
    size_t n = fread(buf, 1, FUZZ_MAX_INPUT, f);
    fclose(f);
    seeds[nseeds] = buf;
    seed_len[nseeds] = n;
    nseeds++;
    LLVMFuzzerTestOneInput(buf, n);
}

static void add_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    /* sort for determinism: collect names first */
    char *names[MAX_SEEDS];
    size_t n = 0;
    while ((e = readdir(d)) && n < MAX_SEEDS) {
        if (e->d_name[0] == '.')
            continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (names[i] && names[j] && strcmp(names[i], names[j]) > 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        add_file(full);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    long runs = 10000;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else
            add_path(argv[i]);
    }
    st = seed;
    uint8_t *buf = malloc(FUZZ_MAX_INPUT);
    if (!buf)
        return 2;
    for (long r = 0; r < runs; r++) {
        size_t len;
        if (nseeds && (next_u64() % 4) != 0) {
            size_t k = next_u64() % nseeds;
            len = seed_len[k];
            memcpy(buf, seeds[k], len);
            int nmut = 1 + (int)(next_u64() % 8);
            for (int m = 0; m < nmut; m++) {
                switch (next_u64() % 5) {
                case 0: if (len) buf[next_u64() % len] ^= (uint8_t)(1u << (next_u64() % 8)); break;
                case 1: if (len) buf[next_u64() % len] = (uint8_t)next_u64(); break;
                case 2: if (len) len = next_u64() % len; break;
                case 3: if (len < FUZZ_MAX_INPUT) buf[len++] = (uint8_t)next_u64(); break;
                case 4: if (len >= 2) { size_t a = next_u64() % len; buf[a] = (next_u64() & 1) ? 0xff : 0x00; } break;
                }
            }
        } else {
            len = next_u64() % 512;
            for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t)next_u64();
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("fuzz driver: %zu corpus files, %ld runs, no crash\n", nseeds, runs);
    free(buf);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i]);
    return 0;
}
