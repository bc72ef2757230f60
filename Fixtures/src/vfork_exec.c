// vfork + execve of /bin/echo, then the parent returns the child's exit code.
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t pid = vfork();
    if (pid == 0) {
        char *argv[] = { "echo", "vforked", NULL };
        execv("/bin/echo", argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
