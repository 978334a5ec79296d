/* The fault suite's slow disk: an LD_PRELOAD library for quad nodes. Before every fsync,
 * fdatasync and sync_file_range it sleeps for the milliseconds written in the file that
 * QUAD_FAULTS_SYNC_DELAY_FILE names (missing, empty or 0: no delay), then makes the real call.
 * The harness writes that file to slow one node's disk and writes 0 to heal it. RocksDB makes
 * these calls from librocksdb through libc, so they land here.
 *
 *   cc -shared -fPIC -O2 -o slowdisk.so slowdisk.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

enum { DELAY_MS_MAX = 10000 }; /* a larger value is read as this: a slow disk, not a dead one */

static long delay_ms(void) {
    const char *path = getenv("QUAD_FAULTS_SYNC_DELAY_FILE");
    if (path == NULL) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[16];
    ssize_t count = read(fd, text, sizeof text - 1);
    close(fd);
    if (count <= 0) return 0;
    text[count] = '\0';
    long ms = strtol(text, NULL, 10);
    if (ms < 0) return 0;
    return ms > DELAY_MS_MAX ? DELAY_MS_MAX : ms;
}

static void wait_like_a_slow_disk(void) {
    int saved = errno;
    long ms = delay_ms();
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&left, &left) == -1 && errno == EINTR) {}
    errno = saved;
}

int fsync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    wait_like_a_slow_disk();
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    wait_like_a_slow_disk();
    return real(fd);
}

int sync_file_range(int fd, off64_t offset, off64_t count, unsigned int flags) {
    static int (*real)(int, off64_t, off64_t, unsigned int);
    if (real == NULL) real = (int (*)(int, off64_t, off64_t, unsigned int))dlsym(RTLD_NEXT, "sync_file_range");
    wait_like_a_slow_disk();
    return real(fd, offset, count, flags);
}
