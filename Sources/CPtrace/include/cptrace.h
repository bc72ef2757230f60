// The only code in agentwatch that touches ptrace, waitpid and tracee memory.
// Swift cannot call variadic ptrace() nor use the W* macros, so everything is
// wrapped here in small, non-variadic functions.
#ifndef CPTRACE_H
#define CPTRACE_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// One classic-BPF instruction, laid out exactly like struct sock_filter.
typedef struct {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
} cp_bpf_insn;

// ---- spawn ---------------------------------------------------------------

typedef struct {
    pid_t pid;        // > 0 on success
    int err;          // errno of the failing step when pid <= 0
    const char *step; // which step failed ("pipe", "fork", "seize")
    int exec_err_fd;  // read end: carries the child's exec errno, EOF on success
} cp_spawn_result;

// Forks, PTRACE_SEIZEs the child with `options`, then lets it set
// NO_NEW_PRIVS, install `filter` (if len > 0) and execve(path, argv, envp).
// The seccomp filter is installed only after the tracer holds the child, so
// RET_TRACE never sees a missing tracer.
cp_spawn_result cp_spawn(const char *path, char *const argv[], char *const envp[],
                         const cp_bpf_insn *filter, unsigned short filter_len,
                         unsigned long options);

// ---- signals of agentwatch itself -----------------------------------------

// Saves agentwatch's original dispositions and mask (the child gets them back
// before exec), ignores SIGPIPE/SIGTTOU, resets SIGCHLD to default, and
// installs handlers for SIGINT/SIGTERM/SIGHUP/SIGQUIT that forward a signal
// sent by a process (not by the terminal, which already signalled the
// whole foreground group) to the root command.
void cp_signals_prepare(void);
void cp_signals_set_root(pid_t root);
// Last forwarded or received terminating signal, 0 if none.
int cp_signals_last(void);

// ---- wait / resume -------------------------------------------------------

typedef struct {
    pid_t pid;          // 0: nothing (WNOHANG), -1: error (err)
    int err;
    int status;
    int exited;         // WIFEXITED
    int exit_code;
    int signaled;       // WIFSIGNALED
    int term_sig;
    int core;
    int stopped;        // WIFSTOPPED
    int stop_sig;       // WSTOPSIG (includes the 0x80 bit for syscall stops)
    int event;          // status >> 16 (PTRACE_EVENT_*)
} cp_wait_result;

cp_wait_result cp_wait(pid_t pid, int nohang);
/* A status waitpid gave for `pid`, taken apart as cp_wait does. */
cp_wait_result cp_wait_decode(pid_t pid, int status);

int cp_cont(pid_t tid, int sig);
int cp_syscall(pid_t tid, int sig);     // resume and stop at syscall exit
int cp_listen(pid_t tid);
int cp_interrupt(pid_t tid);
int cp_detach(pid_t tid, int sig);
int cp_geteventmsg(pid_t tid, unsigned long *msg);
// At a fork/vfork/clone event stop: 1 when the new process's parent is the
// creator itself (fork, vfork, or a 64-bit clone without CLONE_PARENT), 0 when
// that cannot be told from the creator's registers (CLONE_PARENT, clone3, whose
// flags lie in memory, a 32-bit call), -1 on error.
int cp_creator_is_parent(pid_t creator);
int cp_getsiginfo_code(pid_t tid, int *signo, int *code, pid_t *sender);

// ---- syscall information -------------------------------------------------

enum { CP_OP_NONE = 0, CP_OP_ENTRY = 1, CP_OP_EXIT = 2, CP_OP_SECCOMP = 3 };

typedef struct {
    int op;
    uint32_t arch;          // AUDIT_ARCH_*
    uint64_t ip;
    uint64_t sp;
    uint64_t nr;
    uint64_t args[6];
    int64_t rval;
    int is_error;
    uint32_t ret_data;      // seccomp RET_TRACE data
} cp_syscall_info;

int cp_get_syscall_info(pid_t tid, cp_syscall_info *out);

// Register edits used to enforce a verdict at a stop.
int cp_set_syscall_nr(pid_t tid, long nr);   // -1 skips the syscall
int cp_set_return(pid_t tid, long value);    // at syscall exit
int cp_set_arg(pid_t tid, int index, int compat32, unsigned long value);

// ---- tracee memory --------------------------------------------------------

// Reads up to len bytes at addr. Returns the number read (may be short at an
// unmapped page), -1 with errno if nothing could be read. Uses
// process_vm_readv and falls back to PTRACE_PEEKDATA.
ssize_t cp_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len);

// Reads a NUL-terminated string without ever asking for bytes past the page
// that holds the terminator. Returns its length (without NUL), -1 on error.
// *complete is 1 when the NUL was found within max bytes.
ssize_t cp_read_string(pid_t tid, uint64_t addr, char *buf, size_t max, int *complete);

ssize_t cp_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len);

// Duplicates a tracee's descriptor into agentwatch (pidfd_getfd); -1 on error.
int cp_dup_tracee_fd(pid_t pid, int fd);
/* What the tracee's descriptor `fd` links to (/proc/PID/fd/FD), into `buf`
 * without a NUL: its length, or -1 with errno. */
ssize_t cp_fd_link(pid_t pid, int fd, char *buf, size_t cap);
/* Closes what is kept for a process that ended (its pidfd, its /proc/PID/fd). */
void cp_forget_process(pid_t pid);

// Socket facts from a descriptor agentwatch holds.
typedef struct {
    int domain, type, protocol;
    unsigned char local[128];
    unsigned int local_len;
    unsigned char peer[128];
    unsigned int peer_len;
    int peer_pid;               // SO_PEERCRED of a unix socket; 0 when none
    unsigned long inode;
} cp_socket_facts;
int cp_socket_facts_of(int fd, cp_socket_facts *out);

// ---- binary fingerprints -------------------------------------------------

typedef struct {
    int is_elf;
    int is_script;       // starts with #!; interp holds the interpreter
    int elf_class;       // 32 or 64
    int machine;         // e_machine
    int is_static;       // no PT_INTERP
    int is_pie;
    int stripped;        // no .symtab
    char interp[256];
    char build_id[65];   // hex, empty when none
    uint64_t markers;    // bit i: markers[i] was found (case-insensitive)
} cp_elf_info;

int cp_elf_inspect(int fd, const char *const *markers, int marker_count, cp_elf_info *out);
int cp_sha256_fd(int fd, uint8_t out[32]);
void cp_sha256_bytes(const void *data, size_t len, uint8_t out[32]);

// ---- stacks -----------------------------------------------------------------

typedef struct {
    uint64_t pc;
    uint64_t offset;     // from the start of `symbol`
    int has_symbol;
    char symbol[128];
} cp_frame;

// Unwinds the stopped thread `tid`; returns the number of frames (innermost first), -1 on error.
int cp_unwind(pid_t tid, cp_frame *frames, int max);
// Forgets cached unwind info (after an exec or unmapping).
void cp_unwind_flush(void);

int cp_kill(pid_t pid, int sig);
int cp_tgkill(pid_t tgid, pid_t tid, int sig);

/* 0 when both tasks share one fs_struct (kcmp KCMP_FS), else nonzero or -1. */
int cp_kcmp_fs(pid_t a, pid_t b);
/* 0 when both tasks share one descriptor table (kcmp KCMP_FILES). */
int cp_kcmp_files(pid_t a, pid_t b);

// ---- filter injection --------------------------------------------------------

// Returned by cp_inject_filter when the task ended instead (`ended` says how).
#define CP_INJECT_GONE (-100000L)

/* Makes `tid`, stopped at a native syscall's seccomp or entry stop, install `filter` on
   its whole thread group (seccomp with SECCOMP_FILTER_FLAG_TSYNC), then puts it
   back on its syscall instruction so the original call runs again and stops
   anew. Returns seccomp's result: 0 installed, >0 the thread that could not be
   synchronized, -errno on failure, or CP_INJECT_GONE. */
long cp_inject_filter(pid_t tid, const cp_bpf_insn *filter, unsigned short filter_len, cp_wait_result *ended);

// ---- CPU affinity ------------------------------------------------------------

// Laid out like cpu_set_t (1024 CPUs).
typedef struct { unsigned long bits[1024 / (8 * sizeof(unsigned long))]; } cp_cpu_mask;

int cp_current_cpu(void);
// tid 0: the calling thread. 0 on success, -1 with errno.
int cp_get_affinity(pid_t tid, cp_cpu_mask *mask);
int cp_set_affinity(pid_t tid, const cp_cpu_mask *mask);
int cp_pin_to_cpu(pid_t tid, int cpu);
int cp_mask_has(const cp_cpu_mask *mask, int cpu);
int cp_mask_is_only(const cp_cpu_mask *mask, int cpu);

#ifdef __cplusplus
}
#endif
#endif
