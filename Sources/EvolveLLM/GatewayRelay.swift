import EvolveSupport
import Foundation

/// The relay that carries an agent's HTTP from inside the sandbox to the gateway's Unix socket.
///
/// Inside the sandbox (see `GatewayAccess`):
///
///     python3 /run/evolve/relay.py /run/evolve/gateway.sock 8080 -- sh -c '<agent run command>'
///
/// It listens on 127.0.0.1:8080, starts the command, forwards each TCP connection to the socket on its own
/// threads, passes SIGTERM/SIGINT/SIGHUP on to the command, and exits with the command's status (128+N for
/// a signal). Port 0 picks a free port and sets `OPENAI_BASE_URL` for the command to match (for running it
/// outside a sandbox). Python 3 standard library only.
public enum GatewayRelay {
    /// The file name the evaluator binds to `GatewayAccess.relayInSandbox`.
    public static let fileName = "relay.py"

    /// Writes the relay into `folder` and returns its path.
    @discardableResult
    public static func write(to folder: String) throws -> String {
        let path = "\(folder)/\(fileName)"
        try Files.writeAtomically(Data(script.utf8), to: path)
        chmod(path, 0o644)
        return path
    }

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
