// Binary fingerprints with libelf: what kind of executable this is, its
// build-id, and whether its symbols or read-only strings carry markers of
// known miners and tunnels (a renamed xmrig still links RandomX).
#include "cptrace.h"

#include <ctype.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// A skip-ahead search (Wu-Manber, blocks of two bytes) for many markers at
// once, case-insensitively: most windows of a big .rodata are ruled out by one
// table look-up and skipped several bytes at a time, instead of testing every
// byte. A window whose last block could end some marker's prefix is checked
// against the markers in full. The table is indexed by the raw byte pair, its
// entries those of the pair folded to lower case: folding each byte of a
// binary on the way cost a mispredicted branch per byte (a third of the time).
typedef struct {
    const char *const *markers;
    int count;
    size_t lens[64];
    size_t m;               // shortest marker: the window
    unsigned char *shift;   // 65536 entries, one per byte pair
    uint64_t first[256];    // markers by their first letter, either case
} marker_set;

// ASCII case folding, as strncasecmp does in the C locale, without a call per byte.
static inline unsigned fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32u : c; }

static int marker_set_init(marker_set *ms, const char *const *markers, int count) {
    memset(ms, 0, sizeof *ms);
    if (count <= 0 || markers == NULL) return 0;
    if (count > 64) count = 64;
    ms->markers = markers;
    ms->count = count;
    ms->m = (size_t)-1;
    for (int i = 0; i < count; i++) {
        ms->lens[i] = strlen(markers[i]);
        if (ms->lens[i] < ms->m) ms->m = ms->lens[i];
        unsigned char c = (unsigned char)markers[i][0];
        ms->first[c] |= (uint64_t)1 << i;
        ms->first[(unsigned char)toupper(c)] |= (uint64_t)1 << i;
        ms->first[fold(c)] |= (uint64_t)1 << i;
    }
    if (ms->m < 2) return 0;   // too short to skip: the plain scan below handles it
    ms->shift = malloc(65536);
    if (!ms->shift) return 0;
    unsigned char dflt = (unsigned char)(ms->m - 1 > 255 ? 255 : ms->m - 1);
    memset(ms->shift, dflt, 65536);
    for (int i = 0; i < count; i++) {
        for (size_t j = 0; j + 1 < ms->m; j++) {
            unsigned b = fold((unsigned char)markers[i][j]) << 8 | fold((unsigned char)markers[i][j + 1]);
            size_t sh = ms->m - 2 - j;
            if (sh < ms->shift[b]) ms->shift[b] = (unsigned char)sh;
        }
    }
    // Every pair whose folded form has a smaller shift gets it (folding only lowers letters, so a folded pair is final).
    for (unsigned b = 0; b < 65536; b++) {
        unsigned folded = fold((unsigned char)(b >> 8)) << 8 | fold((unsigned char)b);
        if (folded != b) ms->shift[b] = ms->shift[folded];
    }
    return 1;
}

static void marker_set_free(marker_set *ms) { free(ms->shift); ms->shift = NULL; }

static uint64_t check_at(const marker_set *ms, const unsigned char *data, size_t n, size_t s, uint64_t found) {
    uint64_t cand = ms->first[data[s]] & ~found;
    while (cand) {
        int i = __builtin_ctzll(cand);
        cand &= cand - 1;
        if (s + ms->lens[i] <= n && strncasecmp((const char *)data + s, ms->markers[i], ms->lens[i]) == 0)
            found |= (uint64_t)1 << i;
    }
    return found;
}

static uint64_t scan(const marker_set *ms, const unsigned char *data, size_t n) {
    if (n == 0 || ms->count <= 0) return 0;
    uint64_t found = 0, all = ms->count == 64 ? ~(uint64_t)0 : (((uint64_t)1 << ms->count) - 1);
    if (!ms->shift) {
        // Without the table (a one-letter marker, or no memory): every position.
        for (size_t s = 0; s < n && found != all; s++) found = check_at(ms, data, n, s, found);
        return found;
    }
    size_t m = ms->m;
    if (n < m) return 0;
    // Four windows walk four parts at once: each step waits for the look-up
    // the previous one made, and independent walks overlap those waits.
    enum { WALKS = 4 };
    size_t pos[WALKS], stop[WALKS], span = (n - (m - 1)) / WALKS;
    for (int w = 0; w < WALKS; w++) {
        pos[w] = m - 1 + (size_t)w * span;
        stop[w] = w == WALKS - 1 ? n : m - 1 + (size_t)(w + 1) * span;
    }
    for (;;) {
        int live = 0;
        for (int w = 0; w < WALKS; w++) {
            size_t p = pos[w];
            if (p >= stop[w]) continue;
            live = 1;
            unsigned char sh = ms->shift[(unsigned)data[p - 1] << 8 | data[p]];
            if (sh) pos[w] = p + sh;
            else { found = check_at(ms, data, n, p - (m - 1), found); pos[w] = p + 1; }
        }
        if (!live || found == all) break;
    }
    return found;
}

int cp_elf_inspect(int fd, const char *const *markers, int marker_count, cp_elf_info *out) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) return -1;
    size_t size = (size_t)st.st_size;
    unsigned char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) return -1;
    if (size < 4 || memcmp(map, ELFMAG, SELFMAG) != 0) {
        if (size > 2 && map[0] == '#' && map[1] == '!') {
            size_t i = 2, j = 0;
            while (i < size && (map[i] == ' ' || map[i] == '\t')) i++;
            while (i < size && j + 1 < sizeof out->interp && map[i] != '\n' && map[i] != ' ' && map[i] != '\t') {
                out->interp[j++] = (char)map[i++];
            }
            out->interp[j] = 0;
            out->is_script = 1;
        }
        marker_set ms;
        marker_set_init(&ms, markers, marker_count);
        out->markers = scan(&ms, map, size < (1 << 20) ? size : (1 << 20));
        marker_set_free(&ms);
        munmap(map, size);
        return 0;
    }
    out->is_elf = 1;
    elf_version(EV_CURRENT);
    Elf *e = elf_memory((char *)map, size);
    if (!e) { munmap(map, size); return 0; }
    GElf_Ehdr eh;
    if (gelf_getehdr(e, &eh)) {
        out->elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
        out->machine = eh.e_machine;
        out->is_pie = eh.e_type == ET_DYN;
    }
    size_t nph = 0;
    out->is_static = 1;
    if (elf_getphdrnum(e, &nph) == 0) {
        for (size_t i = 0; i < nph; i++) {
            GElf_Phdr ph;
            if (!gelf_getphdr(e, (int)i, &ph)) continue;
            if (ph.p_type == PT_INTERP && ph.p_offset + ph.p_filesz <= size && ph.p_filesz > 0) {
                out->is_static = 0;
                size_t len = ph.p_filesz < sizeof out->interp ? ph.p_filesz : sizeof out->interp - 1;
                memcpy(out->interp, map + ph.p_offset, len);
                out->interp[len] = 0;
            }
            if (ph.p_type == PT_NOTE && ph.p_offset + ph.p_filesz <= size) {
                size_t off = 0;
                const unsigned char *note = map + ph.p_offset;
                while (off + 12 <= ph.p_filesz) {
                    uint32_t namesz, descsz, type;
                    memcpy(&namesz, note + off, 4);
                    memcpy(&descsz, note + off + 4, 4);
                    memcpy(&type, note + off + 8, 4);
                    size_t name_at = off + 12, desc_at = name_at + ((namesz + 3) & ~3u);
                    if (desc_at + descsz > ph.p_filesz) break;
                    if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(note + name_at, "GNU", 4) == 0) {
                        size_t n = descsz < 32 ? descsz : 32;
                        for (size_t k = 0; k < n; k++) {
                            static const char hex[] = "0123456789abcdef";
                            out->build_id[2 * k] = hex[note[desc_at + k] >> 4];
                            out->build_id[2 * k + 1] = hex[note[desc_at + k] & 15];
                        }
                        out->build_id[2 * n] = 0;
                    }
                    off = desc_at + ((descsz + 3) & ~3u);
                }
            }
        }
    }
    // Symbol names and read-only data are where a miner's identity survives renaming.
    out->stripped = 1;
    int scanned_sections = 0;
    marker_set ms;
    marker_set_init(&ms, markers, marker_count);
    Elf_Scn *scn = NULL;
    size_t shstrndx = 0;
    elf_getshdrstrndx(e, &shstrndx);
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        if (sh.sh_type == SHT_SYMTAB) out->stripped = 0;
        const char *name = elf_strptr(e, shstrndx, sh.sh_name);
        // Unwind and exception tables are read-only data without a string in them (a quarter of a compiler's).
        if (name && (strcmp(name, ".eh_frame") == 0 || strcmp(name, ".eh_frame_hdr") == 0 ||
                     strcmp(name, ".gcc_except_table") == 0)) continue;
        int wanted = sh.sh_type == SHT_STRTAB ||
            (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_ALLOC) && !(sh.sh_flags & SHF_WRITE) &&
             !(sh.sh_flags & SHF_EXECINSTR)) ||
            (name && strncmp(name, ".data", 5) == 0);
        if (!wanted || sh.sh_type == SHT_NOBITS) continue;
        if (sh.sh_offset + sh.sh_size > size) continue;
        out->markers |= scan(&ms, map + sh.sh_offset, sh.sh_size);
        scanned_sections++;
    }
    if (scanned_sections == 0) out->markers |= scan(&ms, map, size);
    marker_set_free(&ms);
    elf_end(e);
    munmap(map, size);
    return 0;
}
