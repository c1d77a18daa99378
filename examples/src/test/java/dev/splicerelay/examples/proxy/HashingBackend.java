package dev.splicerelay.examples.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A target on 127.0.0.1 that answers only after the client has ended its side: it reads each connection to its end,
 * waits {@code delay}, then writes the SHA-256 of what it read (32 bytes) followed by {@code reply}, and closes. So a
 * test sees both directions' integrity and the relay of a half-close at once.
 */
final class HashingBackend implements AutoCloseable {
    private final ServerSocket server;
    private final Payload reply;
    private final Duration delay;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    HashingBackend(Payload reply, Duration delay) throws IOException {
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.reply = reply;
        this.delay = delay;
        Thread acceptor = new Thread(this::accept, "hashing-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String target() {
        return "127.0.0.1:" + port();
    }

    /**
     * The client's side of one exchange on a connected {@code socket}: sends {@code request}, ends its side, reads the
     * backend's digest of the request and then the reply to its end.
     */
    static Exchange exchange(Socket socket, Payload request) throws IOException {
        request.writeTo(socket.getOutputStream());
        socket.shutdownOutput();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] requestDigest = new byte[32];
        in.readFully(requestDigest);
        return new Exchange(requestDigest, Payload.readToEnd(in));
    }

    /** What a client got back: the backend's SHA-256 of the request, and the reply. */
    record Exchange(byte[] requestDigest, Payload.Received reply) {
    }

    /** Connections accepted so far, including those still being served. */
    int accepted() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                connections.add(connection);
                Thread serving = new Thread(() -> serve(connection), "hashing-backend-connection");
                serving.setDaemon(true);
                serving.start();
            } catch (IOException e) {
                // Closed at the end of the test.
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            Payload.Received request = Payload.readToEnd(connection.getInputStream());
            Thread.sleep(delay.toMillis());
            OutputStream out = connection.getOutputStream();
            out.write(request.sha256());
            reply.writeTo(out);
        } catch (IOException | InterruptedException e) {
            // The test that closed the connection early checks what it expects itself.
        }
    }
}
