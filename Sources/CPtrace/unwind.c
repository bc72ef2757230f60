// User-space stacks of a stopped tracee with libunwind-ptrace, like strace -k.
#include "cptrace.h"

#include <libunwind-ptrace.h>
#include <string.h>

static unw_addr_space_t space;

int cp_unwind(pid_t tid, cp_frame *frames, int max) {
    if (!space) {
        space = unw_create_addr_space(&_UPT_accessors, 0);
        if (!space) return -1;
        unw_set_caching_policy(space, UNW_CACHE_GLOBAL);
    }
    void *ui = _UPT_create(tid);
    if (!ui) return -1;
    unw_cursor_t cursor;
    int n = 0;
    if (unw_init_remote(&cursor, space, ui) == 0) {
        do {
            unw_word_t ip = 0, off = 0;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
            cp_frame *f = &frames[n++];
            memset(f, 0, sizeof *f);
            f->pc = ip;
            if (unw_get_proc_name(&cursor, f->symbol, sizeof f->symbol, &off) == 0) {
                f->offset = off;
                f->has_symbol = 1;
            }
        } while (n < max && unw_step(&cursor) > 0);
    }
    _UPT_destroy(ui);
    return n;
}

void cp_unwind_flush(void) {
    if (space) unw_flush_cache(space, 0, 0);
}
