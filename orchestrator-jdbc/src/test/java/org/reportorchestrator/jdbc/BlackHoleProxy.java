package org.reportorchestrator.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on the loopback interface that forwards to a server until {@link #blackHole()}; from
 * then on it swallows every byte in both directions and closes nothing, as a firewall or NAT does
 * that forgot a connection. Neither end learns of it until it waits for an answer.
 */
final class BlackHoleProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<AtomicBoolean> open = new CopyOnWriteArrayList<>();
  private volatile boolean blackHole;

  BlackHoleProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("black-hole-proxy-accept", this::accept).start();
  }

  /** The host and port to connect to instead of the server. */
  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  /** Stops forwarding on every connection, open or to come, without closing any. */
  void blackHole() {
    blackHole = true;
  }

  /**
   * Stops forwarding on the connections open now, without closing them; connections made later are
   * forwarded.
   */
  void blackHoleOpenConnections() {
    for (AtomicBoolean connection : open) {
      connection.set(true);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket target = new Socket(targetHost, targetPort);
        sockets.add(client);
        sockets.add(target);
        AtomicBoolean cut = new AtomicBoolean();
        open.add(cut);
        daemon("black-hole-proxy-up", () -> pump(client, target, cut)).start();
        daemon("black-hole-proxy-down", () -> pump(target, client, cut)).start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicBoolean cut) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (!blackHole && !cut.get()) {
          out.write(buffer, 0, read);
          out.flush();
        }
      }
    } catch (IOException e) {
      // one side closed; close() ends the rest
    }
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
