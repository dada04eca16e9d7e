import EvolveSupport
import EvolveTasks
import Foundation

/// The relay that carries an agent's HTTP from inside the sandbox to the gateway's Unix socket.
///
/// Inside the sandbox (see `GatewayAccess.relayed(_:)`):
///
///     /run/evolve/relay /run/evolve/gateway.sock 8080 -- sh -c '<agent run command>'
///
/// It listens on 127.0.0.1:8080, starts the command, forwards each TCP connection to the socket (at most 32
/// at once; more wait), passes SIGTERM/SIGINT/SIGHUP on to the command, and exits with the command's status
/// (128+N for a signal). Port 0 picks a free port and sets `OPENAI_BASE_URL` for the command to match (for
/// running it outside a sandbox).
///
/// The relay is a small C program (`source`) that `write(to:)` compiles with the system's `cc` when the
/// gateway starts: it starts in about a millisecond, where the Python relay (`script`, the fallback when
/// there is no compiler) takes tens of milliseconds per agent step. The build (about 0.2 s of CPU) is kept in
/// the user's cache (`UserCache`, `relay/`) under a name made of the source, the machine and the compiler,
/// and copied from there by later gateways.
public enum GatewayRelay {
    /// The file name of the Python relay (`GatewayAccess.relayInSandbox`).
    public static let fileName = "relay.py"
    /// The file name of the compiled relay (`GatewayAccess.compiledRelayInSandbox`).
    public static let compiledName = "relay"

    /// Puts the compiled relay into `folder` (from the cache, else compiled now; the Python relay when no C
    /// compiler works) and returns its path.
    @discardableResult
    public static func write(to folder: String, cache: String? = UserCache.folder("relay")) throws -> String {
        if let compiled = cachedCompile(into: folder, cache: cache) { return compiled }
        return try writeScript(to: folder)
    }

    /// Copies the cached build into `<folder>/relay` when there is a private one that runs; otherwise compiles
    /// it there and keeps a copy in `cache` for the next gateway. Nil when no compiler works.
    static func cachedCompile(into folder: String, cache: String?) -> String? {
        let output = "\(folder)/\(compiledName)"
        guard let cache, let name = cacheName() else { return compile(into: folder) }
        let cached = "\(cache)/\(name)"
        if UserCache.isPrivate(cache), UserCache.isPrivate(cached, file: true),
            let data = FileManager.default.contents(atPath: cached),
            (try? Files.writeAtomically(data, to: output)) != nil
        {
            chmod(output, 0o755)
            if runs(output) { return output }
            unlink(output)
        }
        guard let built = compile(into: folder) else { return nil }
        // Kept for the next gateway: written under a temporary name and renamed, so a copy is whole or absent.
        if UserCache.makePrivateFolders(cache), let data = FileManager.default.contents(atPath: built) {
            let temporary = "\(cache)/.\(name).\(getpid())"
            if (try? data.write(to: URL(fileURLWithPath: temporary))) != nil, chmod(temporary, 0o755) == 0 {
                if rename(temporary, cached) != 0 { unlink(temporary) }
            } else {
                unlink(temporary)
            }
        }
        return built
    }

    /// The cached build's name: a hash of the source, the machine's architecture and the compiler (its path,
    /// size and time), so a new compiler or a home shared between machines of two kinds builds again.
    static func cacheName() -> String? {
        guard let compiler = compilers.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        var info = stat()
        guard stat(compiler, &info) == 0 else { return nil }
        var machine = utsname()
        uname(&machine)
        let architecture = withUnsafeBytes(of: machine.machine) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
        }
        let identity = "\(architecture)\n\(compiler) \(info.st_size) \(info.st_mtim.tv_sec)\n\(source)"
        return "relay-\(UserCache.fingerprint(identity.utf8))"
    }

    static let compilers = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"]

    /// Writes the Python relay into `folder` and returns its path.
    @discardableResult
    public static func writeScript(to folder: String) throws -> String {
        let path = "\(folder)/\(fileName)"
        try Files.writeAtomically(Data(script.utf8), to: path)
        chmod(path, 0o644)
        return path
    }

    /// Builds `source` with `cc` into `<folder>/relay`; nil when there is no compiler or it fails.
    public static func compile(into folder: String) -> String? {
        let sourcePath = "\(folder)/relay.c"
        let output = "\(folder)/\(compiledName)"
        guard (try? Files.writeAtomically(Data(source.utf8), to: sourcePath)) != nil else { return nil }
        defer { unlink(sourcePath) }
        for compiler in compilers
        where FileManager.default.isExecutableFile(atPath: compiler) {
            let build = Spawn.command(
                compiler, ["-O2", "-o", output, sourcePath, "-lpthread"],
                environment: ["PATH=/usr/local/bin:/usr/bin:/bin"])
            guard let finished = try? build.run(errorOutput: .discarded, timeout: .seconds(120)) else { continue }
            if finished.status == 0 && !finished.timedOut && FileManager.default.isExecutableFile(atPath: output) {
                chmod(output, 0o755)
                // It must run from here (a folder on a noexec mount would fail every agent step).
                if runs(output) { return output }
                unlink(output)
                return nil
            }
        }
        return nil
    }

    /// True when the relay at `path` runs a command and returns its status.
    private static func runs(_ path: String) -> Bool {
        let probe = Spawn.command(path, ["/nowhere.sock", "0", "--", "/bin/sh", "-c", "exit 7"])
        guard let finished = try? probe.run(errorOutput: .discarded, timeout: .seconds(10)) else { return false }
        return finished.status == 7 && !finished.timedOut
    }

    /// The compiled relay's C source (C99, POSIX threads).
    public static let source = #"""
        #define _GNU_SOURCE
        /* evolve gateway relay: 127.0.0.1:PORT inside the sandbox -> the gateway's Unix socket.
           usage: relay SOCKET PORT -- COMMAND [ARG...]
           Runs COMMAND and exits with its status (128+N for signal N); while it runs, each TCP connection to
           127.0.0.1:PORT is forwarded to SOCKET, at most MAX_CONNECTIONS at once (more wait in the backlog).
           SIGTERM, SIGINT and SIGHUP are passed on to COMMAND. PORT 0 picks a free port and sets OPENAI_BASE_URL. */
        #include <errno.h>
        #include <netinet/in.h>
        #include <netinet/tcp.h>
        #include <poll.h>
        #include <pthread.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/un.h>
        #include <sys/wait.h>
        #include <unistd.h>
        #include <arpa/inet.h>

        #define MAX_CONNECTIONS 32
        static const char *socket_path;
        static volatile pid_t child = 0;
        static int open_connections = 0;
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static pthread_cond_t freed = PTHREAD_COND_INITIALIZER;

        static void forward_signal(int signum) {
            if (child > 0) kill(child, signum);
        }

        static int send_all(int fd, const char *data, ssize_t count) {
            while (count > 0) {
                ssize_t n = send(fd, data, (size_t)count, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) return -1;
                data += n;
                count -= n;
            }
            return 0;
        }

        /* Copies both ways until both sides have closed (or one fails). */
        static void *serve(void *argument) {
            int client = (int)(long)argument;
            int upstream = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            struct sockaddr_un address;
            memset(&address, 0, sizeof address);
            address.sun_family = AF_UNIX;
            strncpy(address.sun_path, socket_path, sizeof address.sun_path - 1);
            if (upstream < 0 || connect(upstream, (struct sockaddr *)&address, sizeof address) != 0) {
                fprintf(stderr, "relay: cannot reach the gateway at %s: %s\n", socket_path, strerror(errno));
            } else {
                struct pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
                int open_sides = 2;
                char buffer[65536];
                while (open_sides > 0) {
                    if (poll(fds, 2, -1) < 0) {
                        if (errno == EINTR) continue;
                        break;
                    }
                    int failed = 0;
                    for (int i = 0; i < 2 && !failed; i++) {
                        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                        int other = i == 0 ? upstream : client;
                        ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, 0);
                        if (n < 0 && errno == EINTR) continue;
                        if (n <= 0) {
                            shutdown(other, SHUT_WR);
                            fds[i].fd = -1;
                            open_sides--;
                        } else if (send_all(other, buffer, n) != 0) {
                            failed = 1;
                        }
                    }
                    if (failed) break;
                }
            }
            if (upstream >= 0) close(upstream);
            close(client);
            pthread_mutex_lock(&lock);
            open_connections--;
            pthread_cond_signal(&freed);
            pthread_mutex_unlock(&lock);
            return NULL;
        }

        static void *accept_loop(void *argument) {
            int listener = (int)(long)argument;
            for (;;) {
                pthread_mutex_lock(&lock);
                while (open_connections >= MAX_CONNECTIONS) pthread_cond_wait(&freed, &lock);
                pthread_mutex_unlock(&lock);
                int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                if (client < 0) {
                    if (errno == EINTR || errno == ECONNABORTED) continue;
                    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                        usleep(20000);
                        continue;
                    }
                    return NULL;
                }
                int yes = 1;
                setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
                pthread_mutex_lock(&lock);
                open_connections++;
                pthread_mutex_unlock(&lock);
                pthread_t thread;
                pthread_attr_t attributes;
                pthread_attr_init(&attributes);
                pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
                pthread_attr_setstacksize(&attributes, 256 << 10);
                if (pthread_create(&thread, &attributes, serve, (void *)(long)client) != 0) {
                    close(client);
                    pthread_mutex_lock(&lock);
                    open_connections--;
                    pthread_mutex_unlock(&lock);
                }
                pthread_attr_destroy(&attributes);
            }
        }

        int main(int argc, char **argv) {
            if (argc < 5 || strcmp(argv[3], "--") != 0) {
                fprintf(stderr, "usage: relay SOCKET PORT -- COMMAND [ARG...]\n");
                return 64;
            }
            socket_path = argv[1];
            char *end = NULL;
            long port = strtol(argv[2], &end, 10);
            if (*argv[2] == 0 || *end != 0 || port < 0 || port > 65535) {
                fprintf(stderr, "relay: PORT must be a number, not '%s'\n", argv[2]);
                return 64;
            }
            if (strlen(socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
                fprintf(stderr, "relay: the socket path %s is too long\n", socket_path);
                return 64;
            }
            int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int yes = 1;
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
            struct sockaddr_in address;
            memset(&address, 0, sizeof address);
            address.sin_family = AF_INET;
            address.sin_port = htons((unsigned short)port);
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
                listen(listener, 128) != 0) {
                fprintf(stderr, "relay: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
                return 70;
            }
            if (port == 0) {
                socklen_t length = sizeof address;
                getsockname(listener, (struct sockaddr *)&address, &length);
                char url[64];
                snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", ntohs(address.sin_port));
                setenv("OPENAI_BASE_URL", url, 1);
            }
            /* Signals that stop the command are held until it runs, then passed on to it. */
            sigset_t stops, previous;
            sigemptyset(&stops);
            sigaddset(&stops, SIGTERM);
            sigaddset(&stops, SIGINT);
            sigaddset(&stops, SIGHUP);
            sigprocmask(SIG_BLOCK, &stops, &previous);
            pthread_t acceptor;
            if (pthread_create(&acceptor, NULL, accept_loop, (void *)(long)listener) != 0) {
                fprintf(stderr, "relay: cannot start: %s\n", strerror(errno));
                return 70;
            }
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, "relay: cannot run %s: %s\n", argv[4], strerror(errno));
                return 127;
            }
            if (pid == 0) {
                /* The command starts with default signal handling and nothing blocked. */
                signal(SIGTERM, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                signal(SIGHUP, SIG_DFL);
                signal(SIGPIPE, SIG_DFL);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execvp(argv[4], argv + 4);
                fprintf(stderr, "relay: cannot run %s: %s\n", argv[4], strerror(errno));
                _exit(127);
            }
            child = pid;
            struct sigaction action;
            memset(&action, 0, sizeof action);
            action.sa_handler = forward_signal;
            sigaction(SIGTERM, &action, NULL);
            sigaction(SIGINT, &action, NULL);
            sigaction(SIGHUP, &action, NULL);
            sigprocmask(SIG_UNBLOCK, &stops, NULL);
            int status = 0;
            while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR) return 70;
            }
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
            return WEXITSTATUS(status);
        }
        """#

    /// The Python relay (standard library only), for a host without a C compiler.
    public static let script = #"""
        #!/usr/bin/env python3
        """evolve gateway relay: 127.0.0.1:PORT inside the sandbox -> the gateway's Unix socket.

        usage: relay.py SOCKET PORT -- COMMAND [ARG...]
        Runs COMMAND and exits with its status; while it runs, each TCP connection to 127.0.0.1:PORT is
        forwarded to SOCKET. PORT 0 picks a free port and sets OPENAI_BASE_URL for COMMAND.
        """
        import os
        import signal
        import socket
        import subprocess
        import sys
        import threading


        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    pass


        def serve(connection, path):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(path)
            except OSError as e:
                sys.stderr.write("relay: cannot reach the gateway at %s: %s\n" % (path, e))
                connection.close()
                upstream.close()
                return
            back = threading.Thread(target=pump, args=(upstream, connection), daemon=True)
            back.start()
            pump(connection, upstream)
            back.join()
            connection.close()
            upstream.close()


        def accept_loop(listener, path):
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                threading.Thread(target=serve, args=(connection, path), daemon=True).start()


        def main(argv):
            if len(argv) < 4 or argv[2] != "--":
                sys.stderr.write("usage: relay.py SOCKET PORT -- COMMAND [ARG...]\n")
                return 64
            path, command = argv[0], argv[3:]
            try:
                port = int(argv[1])
            except ValueError:
                sys.stderr.write("relay: PORT must be a number, not %r\n" % argv[1])
                return 64
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(("127.0.0.1", port))
            except OSError as e:
                sys.stderr.write("relay: cannot listen on 127.0.0.1:%d: %s\n" % (port, e))
                return 70
            listener.listen(128)
            environment = dict(os.environ)
            if port == 0:
                environment["OPENAI_BASE_URL"] = "http://127.0.0.1:%d/v1" % listener.getsockname()[1]
            threading.Thread(target=accept_loop, args=(listener, path), daemon=True).start()
            # The command starts with default signal handling, whatever this process inherited.
            stops = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
            for signum in stops:
                signal.signal(signum, signal.SIG_DFL)
            try:
                child = subprocess.Popen(command, env=environment)
            except OSError as e:
                sys.stderr.write("relay: cannot run %s: %s\n" % (command[0], e))
                return 127

            def forward(signum, frame):
                try:
                    child.send_signal(signum)
                except OSError:
                    pass

            for signum in stops:
                signal.signal(signum, forward)
            status = child.wait()
            listener.close()
            return status if status >= 0 else 128 - status


        if __name__ == "__main__":
            sys.exit(main(sys.argv[1:]))
        """#
}
